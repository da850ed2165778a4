using System.Buffers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;

namespace CapaKit.Tool.Mesh;

/// <summary>
/// Copies bytes both ways between a plain unix socket (a workload's side) and a TLS stream (the mesh's side) until
/// both directions have ended. Nothing is parsed or buffered beyond one read, so keep-alive, chunked bodies, SSE
/// streams and WebSocket upgrades pass through as they come.
/// </summary>
/// <remarks>
/// Half-closes pass through: the end of the plain side's data becomes a TLS close_notify, and a close_notify (or the
/// end of the TLS connection) becomes a shutdown of the plain socket's sending side, while the other direction goes
/// on. A failure in either direction closes both sockets, which ends the other direction at once.
/// </remarks>
internal static class DuplexPipe
{
    // At most one TLS record of plaintext per write: every read is forwarded (and so flushed) as soon as it arrives.
    private const int BufferSize = 16 * 1024;

    public static async Task RunAsync(Socket plain, Socket tlsSocket, SslStream tls, CancellationToken cancellationToken)
    {
        using var aborted = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // Closing the sockets is what reliably ends reads that wait for data (and disposing the mesh lands here too).
        using var closeOnAbort = aborted.Token.Register(() =>
        {
            plain.Dispose();
            tlsSocket.Dispose();
        });
        await using var plainStream = new NetworkStream(plain, ownsSocket: false);

        var toTls = CopyAsync(plainStream, tls, () => new ValueTask(tls.ShutdownAsync()), aborted);
        var toPlain = CopyAsync(tls, plainStream, () =>
        {
            plain.Shutdown(SocketShutdown.Send);
            return ValueTask.CompletedTask;
        }, aborted);
        await Task.WhenAll(toTls, toPlain).ConfigureAwait(false);
    }

    private static async Task CopyAsync(Stream from, Stream to, Func<ValueTask> endOfData, CancellationTokenSource aborted)
    {
        var token = aborted.Token;
        try
        {
            while (true)
            {
                // Wait for data without holding a buffer, so idle keep-alive and SSE connections cost no memory.
                await from.ReadAsync(Memory<byte>.Empty, token).ConfigureAwait(false);
                var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
                int read;
                try
                {
                    read = await from.ReadAsync(buffer.AsMemory(0, BufferSize), token).ConfigureAwait(false);
                    if (read > 0)
                    {
                        await to.WriteAsync(buffer.AsMemory(0, read), token).ConfigureAwait(false);
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
                if (read == 0)
                {
                    break;
                }
            }
            await endOfData().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException
                                      or AuthenticationException or InvalidOperationException)
        {
            // A reset, a TLS error or a shutdown: end the other direction too.
            Abort(aborted);
        }
    }

    private static void Abort(CancellationTokenSource aborted)
    {
        try
        {
            aborted.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Both directions are over already.
        }
    }
}
