namespace CapaKit.Tool.Egress;

/// <summary>
/// Strict parsing of HTTP/1.x heads. Strictness is the point: a proxy that parses loosely can be made to
/// see a different request than the upstream does (request smuggling).
/// </summary>
internal static class HttpHeadParser
{
    private const string TokenCharacters = "!#$%&'*+-.^_`|~";

    public static bool TryParseRequest(string head, out HttpRequestHead request, out string error)
    {
        request = null!;
        var lines = SplitLines(head);
        var parts = lines[0].Split(' ');
        if (parts.Length != 3 || !IsToken(parts[0]) || parts[1].Length == 0 || !IsVersion(parts[2]))
        {
            error = "the request line is not 'METHOD target HTTP/1.1'";
            return false;
        }

        if (parts[1].Any(c => c <= ' ' || c >= 0x7F))
        {
            error = "the request target contains spaces or control characters";
            return false;
        }

        if (!TryParseFields(lines, out var headers, out error))
        {
            return false;
        }

        request = new HttpRequestHead(parts[0], parts[1], parts[2], headers);
        return true;
    }

    public static bool TryParseResponse(string head, out HttpResponseHead response, out string error)
    {
        response = null!;
        var lines = SplitLines(head);
        var statusLine = lines[0];
        var parts = statusLine.Split(' ', 3);
        if (parts.Length < 2 || !IsVersion(parts[0]) || parts[1].Length != 3 || !parts[1].All(char.IsAsciiDigit))
        {
            error = "the status line is not 'HTTP/1.1 code reason'";
            return false;
        }

        var reason = parts.Length == 3 ? parts[2] : "";
        if (reason.Any(c => c < ' ' && c != '\t'))
        {
            error = "the reason phrase contains control characters";
            return false;
        }

        if (!TryParseFields(lines, out var headers, out error))
        {
            return false;
        }

        response = new HttpResponseHead(parts[0], int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), reason, headers);
        return true;
    }

    /// <summary>Parses one header field line (also used for chunked trailers).</summary>
    public static bool TryParseField(string line, out string name, out string value)
    {
        name = value = "";
        var colon = line.IndexOf(':');
        if (colon <= 0)
        {
            return false;
        }

        name = line[..colon];
        value = line[(colon + 1)..].Trim(' ', '\t');
        return IsToken(name) && value.All(c => c >= ' ' ? c != 0x7F : c == '\t');
    }

    private static bool TryParseFields(List<string> lines, out HttpHeaderList headers, out string error)
    {
        headers = new HttpHeaderList();
        foreach (var line in lines.Skip(1))
        {
            if (line.Length > 0 && line[0] is ' ' or '\t')
            {
                error = "obsolete folded header lines are not accepted";
                return false;
            }

            if (!TryParseField(line, out var name, out var value))
            {
                error = "a header line is not 'Name: value'";
                return false;
            }

            headers.Add(name, value);
        }

        error = "";
        return true;
    }

    private static List<string> SplitLines(string head)
    {
        var lines = head.Split('\n').Select(l => l.EndsWith('\r') ? l[..^1] : l).ToList();
        while (lines.Count > 1 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        return lines;
    }

    private static bool IsVersion(string text) => text is "HTTP/1.1" or "HTTP/1.0";

    private static bool IsToken(string text) =>
        text.Length > 0 && text.All(c => char.IsAsciiLetterOrDigit(c) || TokenCharacters.Contains(c));
}
