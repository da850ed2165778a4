using System.Net;

namespace CapaKit.Tool.Gateway;

/// <summary>
/// Sits between YARP and the socket handler to wrap each request body in a <see cref="FlushingRequestContent"/>
/// (YARP refuses a body swapped in by a transformer, so the swap happens here, at send time).
/// </summary>
internal sealed class FlushingBodyHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Content is { } body)
        {
            request.Content = new FlushingRequestContent(body);
        }
        return base.SendAsync(request, cancellationToken);
    }
}

/// <summary>
/// Wraps YARP's request body so each piece the client sends is handed to the workload's socket at once.
/// Over HTTP/1.1 YARP flushes HttpClient's write buffer only for gRPC, so a slow or streaming upload (NDJSON,
/// a client that sends a few bytes and waits for an answer) would otherwise sit in a 4 KiB buffer until it fills.
/// </summary>
internal sealed class FlushingRequestContent : HttpContent
{
    private readonly HttpContent _inner;

    public FlushingRequestContent(HttpContent inner)
    {
        _inner = inner;
        foreach (var header in inner.Headers)
        {
            Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        _inner.CopyToAsync(new FlushOnWriteStream(stream), context);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
        _inner.CopyToAsync(new FlushOnWriteStream(stream), context, cancellationToken);

    protected override bool TryComputeLength(out long length)
    {
        // The copied Content-Length header, when the client sent one, is what HttpClient uses; otherwise chunked.
        length = 0;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }
        base.Dispose(disposing);
    }

    /// <summary>Write-only pass-through that flushes after every write.</summary>
    private sealed class FlushOnWriteStream(Stream inner) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            await inner.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override void Write(byte[] buffer, int offset, int count)
        {
            inner.Write(buffer, offset, count);
            inner.Flush();
        }

        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
