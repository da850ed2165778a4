using System.Net.Sockets;
using System.Text;

namespace CapaKit.Tool.Mesh;

/// <summary>
/// The plain-text 502 a workload's HTTP client gets when the mesh cannot carry its connection (every endpoint
/// protocol is HTTP), so the failure reads as a message instead of a bare closed connection.
/// </summary>
internal static class MeshErrorResponse
{
    public static async Task TrySendAsync(Stream stream, string message, CancellationToken cancellationToken)
    {
        var body = Encoding.UTF8.GetBytes("capakit: " + message + "\n");
        var head = Encoding.ASCII.GetBytes(
            "HTTP/1.1 502 Bad Gateway\r\n" +
            "Content-Type: text/plain; charset=utf-8\r\n" +
            $"Content-Length: {body.Length}\r\n" +
            "Connection: close\r\n\r\n");
        try
        {
            await stream.WriteAsync(head, cancellationToken).ConfigureAwait(false);
            await stream.WriteAsync(body, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The client is gone already.
        }
    }
}
