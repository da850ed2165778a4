using System.Net;
using System.Net.Sockets;

namespace CapaKit.Tool.Tests.Egress;

/// <summary>
/// A TCP server the test itself starts on 127.0.0.1 (never any other address), counting every connection it
/// accepts so a test can prove that nothing reached it.
/// </summary>
internal sealed class LoopbackUpstream : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<NetworkStream, Task> _handler;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _connections = [];
    private readonly Task _acceptLoop;
    private int _accepted;

    public LoopbackUpstream(Func<NetworkStream, Task> handler)
    {
        _handler = handler;
        _listener.Start();
        _acceptLoop = AcceptLoopAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int AcceptedConnections => Volatile.Read(ref _accepted);

    /// <summary>True when a connection reached the listener's queue, accepted or not.</summary>
    public bool SawAnyConnection => AcceptedConnections > 0 || _listener.Pending();

    /// <summary>Answers each line-free chunk of bytes with "echo:" + the bytes, until the client closes.</summary>
    public static LoopbackUpstream Echo() => new(async stream =>
    {
        var buffer = new byte[4096];
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            await stream.WriteAsync("echo:"u8.ToArray());
            await stream.WriteAsync(buffer.AsMemory(0, read));
        }
    });

    /// <summary>
    /// Takes the first TLS record (the ClientHello the proxy checked and passed on) without answering it, then echoes
    /// like <see cref="Echo"/>: tunnel tests speak TLS's first record and plain bytes after it.
    /// </summary>
    public static LoopbackUpstream EchoAfterClientHello() => new(async stream =>
    {
        await SkipClientHelloAsync(stream);
        var buffer = new byte[4096];
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            await stream.WriteAsync("echo:"u8.ToArray());
            await stream.WriteAsync(buffer.AsMemory(0, read));
        }
    });

    /// <summary>Reads one TLS record (5-byte header and its payload) from <paramref name="stream"/>.</summary>
    public static async Task SkipClientHelloAsync(Stream stream)
    {
        var header = new byte[5];
        await stream.ReadExactlyAsync(header);
        await stream.ReadExactlyAsync(new byte[(header[3] << 8) | header[4]]);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        try
        {
            await _acceptLoop;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }

        Task[] open;
        lock (_connections)
        {
            open = [.. _connections];
        }

        await Task.WhenAll(open.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stopping.Token);
            Interlocked.Increment(ref _accepted);
            var task = Task.Run(async () =>
            {
                using (client)
                {
                    await using var stream = client.GetStream();
                    try
                    {
                        await _handler(stream).WaitAsync(_stopping.Token);
                    }
                    catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
                    {
                        // The proxy or the test went away.
                    }
                }
            });
            lock (_connections)
            {
                _connections.Add(task);
            }
        }
    }
}
