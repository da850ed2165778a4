using System.Net.Sockets;
using System.Text;

namespace CapaKit.Tool.Tests.Mesh;

/// <summary>
/// A bare unix socket server standing in for a workload's ingress, counting every connection it accepts so a test
/// can prove that nothing reached it.
/// </summary>
internal sealed class RawIngress : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly Func<Socket, Task> _handler;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _connections = [];
    private readonly Task _acceptLoop;
    private int _accepted;

    private RawIngress(string path, Func<Socket, Task> handler)
    {
        Path = path;
        _handler = handler;
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(path));
        _listener.Listen(64);
        _acceptLoop = AcceptLoopAsync();
    }

    public string Path { get; }

    public int Accepted => Volatile.Read(ref _accepted);

    public static RawIngress Start(string path, Func<Socket, Task> handler) => new(path, handler);

    /// <summary>Reads one request head and answers <c>200 hello</c>, closing the connection.</summary>
    public static RawIngress Hello(string path) => Start(path, async socket =>
    {
        await ReadHeadAsync(socket);
        await socket.SendAsync("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello"u8.ToArray());
        socket.Shutdown(SocketShutdown.Send);
    });

    public static async Task<string> ReadHeadAsync(Socket socket)
    {
        var head = new StringBuilder();
        var buffer = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await socket.ReceiveAsync(buffer) == 0)
            {
                break;
            }
            head.Append((char)buffer[0]);
        }
        return head.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Dispose();
        await _acceptLoop;
        Task[] open;
        lock (_connections)
        {
            open = [.. _connections];
        }
        await Task.WhenAll(open).WaitAsync(TimeSpan.FromSeconds(10));
        File.Delete(Path);
    }

    private async Task AcceptLoopAsync()
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            Interlocked.Increment(ref _accepted);
            lock (_connections)
            {
                _connections.Add(ServeAsync(client));
            }
        }
    }

    private async Task ServeAsync(Socket client)
    {
        using (client)
        {
            // A connection the test left open is cut at dispose.
            await using var cut = _stopping.Token.Register(client.Dispose);
            try
            {
                await _handler(client);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
            {
                // The peer went away.
            }
        }
    }
}
