using System.Globalization;
using System.Net;

namespace CapaKit.Tasks.Manifest;

/// <summary>
/// One item of a phase's <c>registries</c>: a host (<c>npm.pkg.github.com</c>), an https URL of which only the host
/// counts (<c>https://npm.pkg.github.com/acme</c>, as written in .npmrc), or a wildcard below a domain
/// (<c>*.example.com</c>). The result is the host in the one spelling the runtime's egress proxy compares:
/// lower-case ASCII (IDN names in punycode), no trailing dot.
/// </summary>
public static class RegistryEntry
{
    private const string WildcardPrefix = "*.";
    private const int MaxNameLength = 253;
    private const int MaxLabelLength = 63;

    /// <param name="problem">When false: what is wrong and what to write instead, ending without a full stop.</param>
    public static bool TryParse(string text, out string host, out string problem)
    {
        host = "";
        var entry = text.Trim();
        if (entry.Contains("://", StringComparison.Ordinal))
        {
            return TryParseUrl(entry, out host, out problem);
        }

        if (IsAddress(entry))
        {
            problem = AddressProblem;
            return false;
        }

        if (entry.IndexOfAny(['/', ':', '@', '?', '#', ' ']) >= 0)
        {
            problem = "it is neither a host name nor an https URL; write it like registry.example.com or https://registry.example.com/";
            return false;
        }

        var wildcard = entry.StartsWith(WildcardPrefix, StringComparison.Ordinal);
        var name = wildcard ? entry[WildcardPrefix.Length..] : entry;

        // A wildcard must keep a domain below the top level: *.com would open a whole TLD.
        if (wildcard && !name.TrimEnd('.').Contains('.'))
        {
            problem = "a wildcard needs a domain with at least two labels, like *.example.com";
            return false;
        }

        if (!TryNormalizeName(name, out name, out problem))
        {
            return false;
        }

        host = wildcard ? WildcardPrefix + name : name;
        return true;
    }

    private static bool TryParseUrl(string entry, out string host, out string problem)
    {
        host = "";
        if (!Uri.TryCreate(entry, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
        {
            problem = "only https:// URLs are accepted; write https://host/ or just the host name";
            return false;
        }

        if (uri.UserInfo.Length > 0)
        {
            // Tokens belong in the workload's .npmrc, never in a manifest that is committed and packed.
            problem = "the URL carries credentials; keep tokens out of capability.yml and write only the host";
            return false;
        }

        if (uri.Port != 443)
        {
            problem = $"the URL uses port {uri.Port}, and an install phase may only reach registries on port 443";
            return false;
        }

        return TryNormalizeName(uri.IdnHost, out host, out problem);
    }

    private static bool TryNormalizeName(string raw, out string name, out string problem)
    {
        name = "";
        var text = raw.EndsWith('.') ? raw[..^1] : raw;
        if (text.Contains('*'))
        {
            problem = "a wildcard may only be a leading '*.', like *.example.com";
            return false;
        }

        if (IsAddress(text))
        {
            problem = AddressProblem;
            return false;
        }

        try
        {
            text = new IdnMapping().GetAscii(text).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            problem = "it is not a valid host name";
            return false;
        }

        if (text.Length > MaxNameLength || !text.Contains('.') || !text.Split('.').All(IsLabel))
        {
            problem = "it is not a full host name; write it like registry.example.com";
            return false;
        }

        name = text;
        problem = "";
        return true;
    }

    // TLS carries no address in its server name, so the proxy could not check a tunnel to one.
    private const string AddressProblem = "it is an IP address; name the registry by its host name";

    private static bool IsAddress(string text) =>
        IPAddress.TryParse(text.Trim('[', ']'), out _) || text.TrimEnd('.').Split('.').All(IsNumericLabel);

    /// <summary>127.1, 2130706433 and 0x7f.1 are IPv4 addresses to the C resolver too.</summary>
    private static bool IsNumericLabel(string label) =>
        label.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? label.Length > 2 && label.Skip(2).All(char.IsAsciiHexDigit)
            : label.Length > 0 && label.All(char.IsAsciiDigit);

    /// <summary>Letters, digits, '-' (not at either end) and '_' (seen in real DNS names), 1 to 63 characters.</summary>
    private static bool IsLabel(string label) =>
        label.Length is > 0 and <= MaxLabelLength
        && label[0] != '-' && label[^1] != '-'
        && label.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_');
}
