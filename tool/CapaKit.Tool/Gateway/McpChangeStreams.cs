using System.Text;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;

namespace CapaKit.Tool.Gateway;

/// <summary>
/// The open server-to-client streams of the merged MCP endpoint (streamable HTTP's standalone <c>GET</c>, an SSE
/// stream), and the one message the gateway pushes on them: <c>notifications/tools/list_changed</c>, sent when a
/// workload behind an mcp expose becomes ready or stops, so clients re-list <c>/mcp/all</c>.
/// </summary>
internal sealed class McpChangeStreams : IDisposable
{
    private static readonly byte[] ListChanged =
        Encoding.UTF8.GetBytes("event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/tools/list_changed\"}\n\n");

    private readonly Lock _lock = new();
    private readonly HashSet<Channel<byte[]>> _streams = [];
    private readonly CancellationTokenSource _stopping = new();

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _streams.Count;
            }
        }
    }

    /// <summary>Tells every open stream that the merged tool list may have changed.</summary>
    public void NotifyToolsChanged()
    {
        lock (_lock)
        {
            foreach (var stream in _streams)
            {
                stream.Writer.TryWrite(ListChanged);
            }
        }
    }

    /// <summary>Serves one SSE stream until the client goes away or the gateway stops.</summary>
    public async Task ServeAsync(HttpContext context)
    {
        // Only the newest change matters: a slow client gets at most a few pending notifications, never a backlog.
        var stream = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(2) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        using var done = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache, no-store";
        lock (_lock)
        {
            _streams.Add(stream);
            // A change between the client's tools/list and this stream opening would be lost; one notification
            // now makes every client re-list once it is subscribed, so it cannot miss a change.
            stream.Writer.TryWrite(ListChanged);
        }
        try
        {
            await response.StartAsync(done.Token).ConfigureAwait(false);
            await foreach (var message in stream.Reader.ReadAllAsync(done.Token).ConfigureAwait(false))
            {
                await response.Body.WriteAsync(message, done.Token).ConfigureAwait(false);
                await response.Body.FlushAsync(done.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (done.IsCancellationRequested)
        {
            // The client left, or the gateway is stopping: ending the response is the whole answer.
        }
        catch (IOException)
        {
            // The connection broke mid-write.
        }
        finally
        {
            lock (_lock)
            {
                _streams.Remove(stream);
            }
        }
    }

    /// <summary>Ends every open stream, so stopping the gateway does not wait on them for its grace period.</summary>
    public void Stop() => _stopping.Cancel();

    public void Dispose() => _stopping.Dispose();
}
