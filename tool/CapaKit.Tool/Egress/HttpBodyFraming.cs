namespace CapaKit.Tool.Egress;

/// <summary>How the body after an HTTP head is delimited.</summary>
internal enum HttpBodyKind
{
    None,
    ContentLength,
    Chunked,

    /// <summary>Responses only: the body runs until the upstream closes.</summary>
    UntilClose,
}

/// <summary>The body delimitation of one message, decided from Transfer-Encoding and Content-Length (RFC 9112 section 6).</summary>
internal readonly record struct HttpBodyFraming(HttpBodyKind Kind, long Length)
{
    public static bool TryForRequest(HttpHeaderList headers, out HttpBodyFraming framing, out string error)
    {
        framing = new(HttpBodyKind.None, 0);
        var transferCodings = headers.GetTokens("Transfer-Encoding");
        if (transferCodings.Count > 0)
        {
            // Both headers at once is the classic smuggling shape; refuse rather than pick one.
            if (headers.Contains("Content-Length"))
            {
                error = "the request has both Transfer-Encoding and Content-Length";
                return false;
            }

            if (transferCodings is not ["chunked"])
            {
                error = "the only request transfer coding supported is 'chunked'";
                return false;
            }

            framing = new(HttpBodyKind.Chunked, 0);
            error = "";
            return true;
        }

        return TryContentLength(headers, ref framing, out error);
    }

    public static bool TryForResponse(string requestMethod, HttpResponseHead response, out HttpBodyFraming framing, out string error)
    {
        framing = new(HttpBodyKind.None, 0);
        error = "";
        if (requestMethod == "HEAD" || response.StatusCode is 204 or 304 || response.StatusCode < 200)
        {
            return true;
        }

        var transferCodings = response.Headers.GetTokens("Transfer-Encoding");
        if (transferCodings.Count > 0)
        {
            framing = new(transferCodings[^1] == "chunked" ? HttpBodyKind.Chunked : HttpBodyKind.UntilClose, 0);
            return true;
        }

        framing = new(HttpBodyKind.UntilClose, 0);
        return TryContentLength(response.Headers, ref framing, out error);
    }

    private static bool TryContentLength(HttpHeaderList headers, ref HttpBodyFraming framing, out string error)
    {
        error = "";
        var values = headers.GetTokens("Content-Length");
        if (values.Count == 0)
        {
            if (headers.Contains("Content-Length"))
            {
                error = "the Content-Length header is empty";
                return false;
            }

            return true;
        }

        if (values.Distinct().Count() != 1 || !values[0].All(char.IsAsciiDigit) || !long.TryParse(values[0], out var length))
        {
            error = "the Content-Length header is not one non-negative number";
            return false;
        }

        framing = new(HttpBodyKind.ContentLength, length);
        return true;
    }
}
