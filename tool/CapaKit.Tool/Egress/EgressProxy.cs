using System.Collections.Concurrent;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace CapaKit.Tool.Egress;

/// <summary>
/// The runtime's HTTP forward proxy for dependency installs. It listens on a unix socket that the runtime binds
/// into the sandbox (which has no network of its own), tunnels <c>CONNECT host:port</c> and forwards absolute-form
/// <c>http://</c> requests to destinations the <see cref="EgressPolicy"/> allows, and answers everything else with 403.
/// A tunnel carries TLS only, and opens only once the client's ClientHello names the CONNECT host (<see cref="TunnelServerNameCheck"/>).
/// </summary>
public sealed class EgressProxy : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly EgressPolicy _policy;
    private readonly EgressProxyOptions _options;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<long, Task> _connections = new();
    private readonly ConcurrentQueue<EgressDecision> _decisions = new();
    private Task _acceptLoop = Task.CompletedTask;
    private long _nextConnectionId;
    private long _acceptedConnections;
    private long _allowedCount;
    private long _refusedCount;
    private int _recordedDecisions;
    private int _disposed;

    private EgressProxy(Socket listener, string unixSocketPath, EgressPolicy policy, EgressProxyOptions options, ILogger logger)
    {
        _listener = listener;
        UnixSocketPath = unixSocketPath;
        _policy = policy;
        _options = options;
        _logger = logger;
    }

    /// <summary>The full path of the listening socket.</summary>
    public string UnixSocketPath { get; }

    /// <summary>Every decision taken so far (up to <see cref="EgressProxyOptions.MaxRecordedDecisions"/>), oldest first.</summary>
    public IReadOnlyList<EgressDecision> Decisions => [.. _decisions];

    public long AllowedCount => Interlocked.Read(ref _allowedCount);

    public long RefusedCount => Interlocked.Read(ref _refusedCount);

    public long AcceptedConnections => Interlocked.Read(ref _acceptedConnections);

    /// <summary>Client connections being served right now.</summary>
    public int ActiveConnections => _connections.Count;

    /// <param name="cancellationToken">Aborts the start only; the proxy runs until disposed.</param>
    public static Task<EgressProxy> StartAsync(EgressPolicy policy, string unixSocketPath, ILogger logger, CancellationToken cancellationToken) =>
        StartAsync(policy, unixSocketPath, EgressProxyOptions.Default, logger, cancellationToken);

    /// <param name="cancellationToken">Aborts the start only; the proxy runs until disposed.</param>
    public static async Task<EgressProxy> StartAsync(
        EgressPolicy policy, string unixSocketPath, EgressProxyOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentException.ThrowIfNullOrEmpty(unixSocketPath);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        cancellationToken.ThrowIfCancellationRequested();

        var fullPath = Path.GetFullPath(unixSocketPath);
        var listener = await UnixSocketListener.BindAsync(fullPath, cancellationToken).ConfigureAwait(false);
        var proxy = new EgressProxy(listener, fullPath, policy, options, logger);
        proxy._acceptLoop = Task.Run(proxy.AcceptLoopAsync, CancellationToken.None);
        EgressLog.Listening(logger, fullPath, string.Join(", ", policy.AllowedHosts));
        return proxy;
    }

    /// <summary>Stops listening, closes every open tunnel and removes the socket file.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        await Task.WhenAll(_connections.Values).ConfigureAwait(false);
        _stopping.Dispose();
        try
        {
            File.Delete(UnixSocketPath);
        }
        catch (IOException)
        {
            // Best effort: the runtime folder is removed with the phase anyway.
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
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

                // Out of file descriptors and the like: say so and back off briefly instead of spinning.
                EgressLog.AcceptFailed(_logger, e.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(50), CancellationToken.None).ConfigureAwait(false);
                continue;
            }

            Interlocked.Increment(ref _acceptedConnections);
            Track(client);
        }
    }

    private void Track(Socket client)
    {
        var id = Interlocked.Increment(ref _nextConnectionId);
        var overLimit = _connections.Count >= _options.MaxConnections;
        var task = Task.Run(() => overLimit ? RejectBusyAsync(client) : ServeAsync(client), CancellationToken.None);
        _connections.TryAdd(id, task);
        _ = task.ContinueWith(_ => _connections.TryRemove(id, out Task? _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private Task ServeAsync(Socket client) =>
        new ProxyConnection(client, _policy, _options, _logger, Record).RunAsync(_stopping.Token);

    private async Task RejectBusyAsync(Socket client)
    {
        await using var stream = new NetworkStream(client, ownsSocket: true);
        await ProxyErrorResponse.SendAndCloseAsync(client, stream, 503, EgressRefusalMessage.TooManyConnections, _stopping.Token).ConfigureAwait(false);
    }

    private void Record(EgressDecision decision)
    {
        if (decision.Allowed)
        {
            Interlocked.Increment(ref _allowedCount);
        }
        else
        {
            Interlocked.Increment(ref _refusedCount);
        }

        if (Interlocked.Increment(ref _recordedDecisions) <= _options.MaxRecordedDecisions)
        {
            _decisions.Enqueue(decision);
        }
    }
}
