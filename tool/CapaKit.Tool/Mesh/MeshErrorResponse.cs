using System.Buffers;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;

namespace CapaKit.Tool.Mesh;

/// <summary>
/// The plain-text 502 a workload's HTTP client gets when the mesh cannot carry its connection (every endpoint
/// protocol is HTTP), so the failure reads as a message instead of a bare closed connection.
/// </summary>
internal static class MeshErrorResponse
{
    // Long enough for a client to finish writing its request and read the answer; short enough to hold nothing.
    private static readonly TimeSpan Linger = TimeSpan.FromSeconds(2);
    private const int MaxDrainedBytes = 1024 * 1024;

    /// <summary>
    /// Writes the 502, ends the sending side with <paramref name="endSending"/>, then reads and discards what the
    /// client still sends for a moment before the caller closes the connection.
    /// </summary>
    /// <remarks>
    /// The answer may go out before the client has written its request. Closing at once would make that write fail
    /// (broken pipe, reset) and the client would report the failed write instead of reading the 502.
    /// </remarks>
    public static async Task SendAsync(Stream stream, Func<ValueTask> endSending, string message, CancellationToken cancellationToken)
    {
        var body = Encoding.UTF8.GetBytes("capakit: " + message + "\n");
        var head = Encoding.ASCII.GetBytes(
            "HTTP/1.1 502 Bad Gateway\r\n" +
            "Content-Type: text/plain; charset=utf-8\r\n" +
            $"Content-Length: {body.Length}\r\n" +
            "Connection: close\r\n\r\n");
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Linger);
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            await stream.WriteAsync(head, deadline.Token).ConfigureAwait(false);
            await stream.WriteAsync(body, deadline.Token).ConfigureAwait(false);
            await endSending().ConfigureAwait(false);
            var drained = 0;
            int read;
            while (drained < MaxDrainedBytes && (read = await stream.ReadAsync(buffer, deadline.Token).ConfigureAwait(false)) > 0)
            {
                drained += read;
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException
                                      or AuthenticationException or InvalidOperationException)
        {
            // The client is gone, or took too long to finish.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
