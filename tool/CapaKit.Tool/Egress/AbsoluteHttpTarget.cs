using System.Globalization;

namespace CapaKit.Tool.Egress;

/// <summary>
/// The parts of an absolute-form request target (<c>http://host[:port]/path?query</c>) that the proxy forwards.
/// Parsed by hand rather than with <see cref="Uri"/> so the path reaches the upstream byte for byte (no dot-segment or escape rewriting).
/// </summary>
internal sealed record AbsoluteHttpTarget(string Host, int Port, string Authority, string PathAndQuery)
{
    private const string HttpPrefix = "http://";

    public static bool TryParse(string target, out AbsoluteHttpTarget parsed, out string error)
    {
        parsed = null!;
        if (target.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            error = "https URLs must be tunnelled with CONNECT";
            return false;
        }

        if (!target.StartsWith(HttpPrefix, StringComparison.OrdinalIgnoreCase))
        {
            error = "the target is not an absolute http:// URL or a CONNECT authority";
            return false;
        }

        var rest = target[HttpPrefix.Length..];
        var authorityEnd = rest.IndexOfAny(['/', '?', '#']);
        var authority = authorityEnd < 0 ? rest : rest[..authorityEnd];
        var pathAndQuery = authorityEnd < 0 ? "/" : rest[authorityEnd..];
        var fragment = pathAndQuery.IndexOf('#');
        if (fragment >= 0)
        {
            pathAndQuery = pathAndQuery[..fragment];
        }

        if (pathAndQuery.StartsWith('?'))
        {
            pathAndQuery = "/" + pathAndQuery;
        }

        // user@host is refused: it is how a URL is made to look like one host while naming another.
        if (authority.Contains('@') || !TryParseAuthority(authority, defaultPort: 80, out var host, out var port))
        {
            error = "the URL's host is not 'host[:port]'";
            return false;
        }

        parsed = new AbsoluteHttpTarget(host, port, authority, pathAndQuery.Length == 0 ? "/" : pathAndQuery);
        error = "";
        return true;
    }

    /// <summary>Splits <c>host:port</c> or <c>[v6]:port</c>; the port is required when <paramref name="defaultPort"/> is null.</summary>
    public static bool TryParseAuthority(string authority, int? defaultPort, out string host, out int port)
    {
        host = "";
        port = 0;
        string portText;
        if (authority.StartsWith('['))
        {
            var close = authority.IndexOf(']');
            if (close < 0)
            {
                return false;
            }

            host = authority[..(close + 1)];
            var after = authority[(close + 1)..];
            if (after.Length > 0 && after[0] != ':')
            {
                return false;
            }

            portText = after.Length > 0 ? after[1..] : "";
        }
        else
        {
            var colon = authority.LastIndexOf(':');
            host = colon < 0 ? authority : authority[..colon];
            portText = colon < 0 ? "" : authority[(colon + 1)..];
            if (host.Contains(':'))
            {
                return false;
            }
        }

        if (host.Length == 0)
        {
            return false;
        }

        if (portText.Length == 0)
        {
            if (defaultPort is null)
            {
                return false;
            }

            port = defaultPort.Value;
            return true;
        }

        return portText.Length <= 5 && portText.All(char.IsAsciiDigit)
            && int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is > 0 and <= 65535;
    }
}
