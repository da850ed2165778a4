using System.Net.Sockets;
using System.Text;

namespace CapaKit.Tool.Egress;

/// <summary>Writes a short plain-text error response and closes the client connection politely.</summary>
internal static class ProxyErrorResponse
{
    private const int MaxDrainBytes = 256 * 1024;
    private static readonly TimeSpan DrainTime = TimeSpan.FromSeconds(2);

    public static async Task SendAndCloseAsync(Socket client, Stream clientStream, int statusCode, string body, CancellationToken cancellationToken)
    {
        var bodyBytes = Encoding.UTF8.GetBytes(body + "\n");
        var head = $"HTTP/1.1 {statusCode} {ReasonPhrase(statusCode)}\r\n"
            + "Content-Type: text/plain; charset=utf-8\r\n"
            + $"Content-Length: {bodyBytes.Length}\r\n"
            + "Connection: close\r\n\r\n";
        try
        {
            await clientStream.WriteAsync(Encoding.ASCII.GetBytes(head), cancellationToken).ConfigureAwait(false);
            await clientStream.WriteAsync(bodyBytes, cancellationToken).ConfigureAwait(false);
            client.Shutdown(SocketShutdown.Send);

            // Read what the client is still sending (an oversized head, a body) so closing does not reset the
            // connection before it has read our answer; bounded in bytes and time.
            using var drain = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            drain.CancelAfter(DrainTime);
            var buffer = new byte[16 * 1024];
            var drained = 0;
            int read;
            while (drained < MaxDrainBytes && (read = await clientStream.ReadAsync(buffer, drain.Token).ConfigureAwait(false)) > 0)
            {
                drained += read;
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client left first; nothing more to tell it.
        }
    }

    private static string ReasonPhrase(int statusCode) => statusCode switch
    {
        400 => "Bad Request",
        403 => "Forbidden",
        408 => "Request Timeout",
        431 => "Request Header Fields Too Large",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Error",
    };
}
