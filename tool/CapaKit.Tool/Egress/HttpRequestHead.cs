namespace CapaKit.Tool.Egress;

/// <summary>The request line and headers of one HTTP/1.x request.</summary>
internal sealed record HttpRequestHead(string Method, string Target, string Version, HttpHeaderList Headers);
