namespace CapaKit.Tool.Egress;

/// <summary>The status line and headers of one HTTP/1.x response.</summary>
internal sealed record HttpResponseHead(string Version, int StatusCode, string ReasonPhrase, HttpHeaderList Headers)
{
    /// <summary>100 Continue, 102, 103: an interim answer that precedes the real one.</summary>
    public bool IsInterim => StatusCode is >= 100 and < 200 && StatusCode != 101;
}
