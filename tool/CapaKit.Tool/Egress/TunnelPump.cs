using System.Buffers;
using System.Net.Sockets;

namespace CapaKit.Tool.Egress;

/// <summary>
/// Copies bytes both ways between the client and the upstream of a CONNECT tunnel until both sides are done,
/// passing half-closes through and closing the pair once it has been idle too long.
/// </summary>
internal static class TunnelPump
{
    private const int BufferSize = 32 * 1024;

    public static async Task RunAsync(Socket client, Stream clientStream, Socket upstream, Stream upstreamStream, IdleDeadline idle)
    {
        var toUpstream = CopyAsync(clientStream, upstreamStream, upstream, idle);
        var toClient = CopyAsync(upstreamStream, clientStream, client, idle);
        await Task.WhenAll(toUpstream, toClient).ConfigureAwait(false);
    }

    private static async Task CopyAsync(Stream from, Stream to, Socket toSocket, IdleDeadline idle)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer, idle.Token).ConfigureAwait(false)) > 0)
            {
                idle.Touch();
                await to.WriteAsync(buffer.AsMemory(0, read), idle.Token).ConfigureAwait(false);
                idle.Touch();
            }

            // Pass the end of this direction on; the other direction may still have an answer to deliver.
            toSocket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // A reset, an idle timeout or shutdown: stop the other direction too.
            idle.Expire();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
