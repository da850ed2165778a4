using System.Collections.Concurrent;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace CapaKit.Tool.Mesh;

/// <summary>
/// One listening socket of the mesh and the connections it is serving. Each connection runs on its own task, so a
/// slow or stuck one never holds up accepting or serving the others.
/// </summary>
internal sealed class MeshListener : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly Func<Socket, CancellationToken, Task> _serve;
    private readonly int _maxConnections;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping;
    private readonly ConcurrentDictionary<long, Task> _connections = new();
    private Task _acceptLoop = Task.CompletedTask;
    private long _nextId;
    private int _live;

    private MeshListener(string path, Socket socket, Func<Socket, CancellationToken, Task> serve, int maxConnections, ILogger logger, CancellationToken stopping)
    {
        Path = path;
        _socket = socket;
        _serve = serve;
        _maxConnections = maxConnections;
        _logger = logger;
        _stopping = CancellationTokenSource.CreateLinkedTokenSource(stopping);
    }

    public string Path { get; }

    /// <summary>Binds <paramref name="path"/> and serves each accepted connection with <paramref name="serve"/> until disposed.</summary>
    /// <param name="serve">Owns the socket it is given; its token fires when the mesh shuts down.</param>
    public static MeshListener Start(string path, Func<Socket, CancellationToken, Task> serve, int maxConnections, ILogger logger, CancellationToken stopping)
    {
        var listener = new MeshListener(path, MeshSocket.Listen(path), serve, maxConnections, logger, stopping);
        listener._acceptLoop = Task.Run(listener.AcceptLoopAsync, CancellationToken.None);
        return listener;
    }

    /// <summary>Stops accepting, deletes the socket file, closes live connections and waits for them.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        try
        {
            File.Delete(Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: the runtime folder goes away with the run.
        }
        await _acceptLoop.ConfigureAwait(false);
        await Task.WhenAll(_connections.Values).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _socket.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                if (_stopping.IsCancellationRequested)
                {
                    return;
                }
                // Out of descriptors and the like: say so and back off briefly instead of spinning.
                MeshLog.AcceptFailed(_logger, Path, e.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(50), CancellationToken.None).ConfigureAwait(false);
                continue;
            }

            if (Interlocked.Increment(ref _live) > _maxConnections)
            {
                Interlocked.Decrement(ref _live);
                MeshLog.TooManyConnections(_logger, Path, _maxConnections);
                client.Dispose();
                continue;
            }
            Track(client);
        }
    }

    private void Track(Socket client)
    {
        var id = Interlocked.Increment(ref _nextId);
        // Registered before it starts, so its own removal can never run first and leave a stale entry behind.
        var start = new Task<Task>(() => ServeAsync(id, client));
        _connections[id] = start.Unwrap();
        start.Start(TaskScheduler.Default);
    }

    private async Task ServeAsync(long id, Socket client)
    {
        try
        {
            await _serve(client, _stopping.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Expected failures are handled inside; anything else is a bug to see in the log, not a dead runtime.
            MeshLog.ConnectionFailed(_logger, Path, e);
        }
        finally
        {
            client.Dispose();
            Interlocked.Decrement(ref _live);
            _connections.TryRemove(id, out _);
        }
    }
}
