using System.Net.Sockets;

namespace CapaKit.Tool.Tests.Mesh;

/// <summary>HTTP clients that reach a unix socket, the way a workload reaches its connection socket.</summary>
internal static class UnixHttp
{
    /// <param name="onConnect">Called for every new connection the handler opens.</param>
    public static SocketsHttpHandler Handler(string socketPath, Action? onConnect = null) => new()
    {
        UseProxy = false,
        ConnectCallback = async (_, cancellationToken) =>
        {
            onConnect?.Invoke();
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    public static HttpClient Client(string socketPath, Action? onConnect = null) =>
        new(Handler(socketPath, onConnect)) { BaseAddress = new Uri("http://localhost"), Timeout = TimeSpan.FromSeconds(30) };

    public static async Task<Socket> ConnectAsync(string socketPath)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath));
        return socket;
    }

    /// <summary>Reads until the peer ends its side (or resets), returning what arrived.</summary>
    public static async Task<string> ReadToEndAsync(Socket socket, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        var received = new MemoryStream();
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (SocketException)
        {
            // A reset also ends the conversation.
        }
        return System.Text.Encoding.UTF8.GetString(received.ToArray());
    }
}
