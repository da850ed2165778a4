using System.Text;

namespace CapaKit.Tool.Egress;

/// <summary>
/// Writes the heads the proxy sends on: the origin-form request to the upstream and the response back to the
/// client, each without hop-by-hop fields and with <c>Connection: close</c> (one request per connection keeps framing simple).
/// </summary>
internal static class HttpHeadWriter
{
    private static readonly string[] HopByHopFields =
        ["Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authorization", "Proxy-Authenticate", "TE", "Upgrade"];

    public static byte[] UpstreamRequest(HttpRequestHead request, AbsoluteHttpTarget target)
    {
        var text = new StringBuilder()
            .Append(request.Method).Append(' ').Append(target.PathAndQuery).Append(" HTTP/1.1\r\n")
            .Append("Host: ").Append(target.Authority).Append("\r\n");
        AppendEndToEndFields(text, request.Headers, skip: "Host");
        return Finish(text);
    }

    public static byte[] ClientResponse(HttpResponseHead response, bool dropContentLength)
    {
        var text = new StringBuilder()
            .Append("HTTP/1.1 ").Append(response.StatusCode).Append(' ').Append(response.ReasonPhrase).Append("\r\n");
        AppendEndToEndFields(text, response.Headers, skip: dropContentLength ? "Content-Length" : null);
        return Finish(text);
    }

    private static void AppendEndToEndFields(StringBuilder text, HttpHeaderList headers, string? skip)
    {
        var connectionOptions = headers.GetTokens("Connection");
        foreach (var (name, value) in headers.Fields)
        {
            if (HopByHopFields.Contains(name, StringComparer.OrdinalIgnoreCase)
                || connectionOptions.Contains(name.ToLowerInvariant())
                || string.Equals(name, skip, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            text.Append(name).Append(": ").Append(value).Append("\r\n");
        }
    }

    private static byte[] Finish(StringBuilder text) => Encoding.Latin1.GetBytes(text.Append("Connection: close\r\n\r\n").ToString());
}
