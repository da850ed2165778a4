using CapaKit.Bundle;
using CapaKit.Tool.Ingress;
using Microsoft.Extensions.Logging;

namespace CapaKit.Tool.Mesh;

/// <summary>
/// The runtime's proxies between workloads. Workloads have no IP network; a workload reaches a peer only through
/// the connection socket of a connection it declared, and the mesh carries that traffic over mutual TLS 1.3
/// between two proxies the runtime owns, each presenting its workload's certificate from the Kit bundle.
/// </summary>
/// <remarks>
/// <para>Per target T that some workload connects to: an <em>inbound proxy</em>, a TLS server presenting T's
/// certificate that accepts only client certificates from the Kit CA whose SPIFFE ID is a workload declaring T in
/// its connections; after the handshake it connects to T's ingress and pipes bytes.</para>
/// <para>Per declared connection S → T: an <em>outbound proxy</em>, a plain unix socket (the connection socket,
/// bound into S's sandbox at the same path); each connection on it becomes a TLS client connection to T's inbound
/// proxy presenting S's certificate and accepting only T's.</para>
/// <para>Transport between the halves: a unix socket per inbound proxy under <c>&lt;runtime&gt;/i/</c> (0700, never
/// bound into a sandbox). Both halves live in this process today; a unix socket needs no port, cannot be reached
/// from any network namespace, and is guarded by file permissions on top of mTLS, where a loopback TCP port would be
/// open to every local process. TLS is kept on this hop anyway so the halves can move apart (another process,
/// another host) without changing what they prove to each other.</para>
/// </remarks>
public sealed class WorkloadMesh : IAsyncDisposable
{
    private static readonly TimeSpan ShutdownWait = TimeSpan.FromSeconds(10);

    private readonly Dictionary<(string Source, string Target), string> _connectionSockets;
    private readonly Dictionary<string, string> _connectedWorkloadsJson;
    private readonly HashSet<string> _workloads;
    private readonly MeshEventLog _events;
    private readonly ILogger _logger;
    private readonly string _inboundFolder;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<MeshListener> _listeners = [];
    private MeshCredentials? _credentials;
    private int _disposed;

    private WorkloadMesh(KitBundle kit, MeshTopology topology, string runtimeDirectory, MeshLimits limits, ILogger logger)
    {
        _logger = logger;
        _events = new MeshEventLog(logger, limits.MaxRecordedEvents);
        _workloads = [.. kit.Workloads.Keys];
        _inboundFolder = MeshPaths.InboundFolder(runtimeDirectory);
        _connectionSockets = topology.Connections.ToDictionary(
            c => c,
            c => MeshPaths.ConnectionSocket(runtimeDirectory, c.Source, c.Target));
        InboundSockets = topology.SourcesByTarget.Keys.ToDictionary(
            t => t,
            t => MeshPaths.InboundSocket(runtimeDirectory, t),
            StringComparer.Ordinal);
        CheckDistinct([.. _connectionSockets.Values, .. InboundSockets.Values]);
        _connectedWorkloadsJson = kit.Workloads.Keys.ToDictionary(
            s => s,
            s => ConnectedWorkloadsWriter.Write(kit, s, topology.Connections.Where(c => c.Source == s).Select(c => (c.Target, _connectionSockets[c]))),
            StringComparer.Ordinal);
    }

    /// <summary>Accepted and refused handshakes (the most recent ones), oldest first.</summary>
    public IReadOnlyList<MeshEvent> Events => _events.Snapshot();

    /// <summary>The socket of each target's inbound proxy (runtime-only: never bound into a sandbox).</summary>
    internal IReadOnlyDictionary<string, string> InboundSockets { get; }

    /// <summary>Starts an inbound proxy per connected target and an outbound proxy per declared connection.</summary>
    /// <param name="bundleDirectory">The Kit bundle: certificates and keys are read from it, by the runtime only.</param>
    /// <param name="runtimeDirectory">A private (0700) folder for the sockets; created if missing. Keep its path short.</param>
    /// <param name="ingressOf">A workload's running ingress (null when it is not running); asked for each connection.</param>
    /// <param name="cancellationToken">Aborts the start only; the mesh runs until disposed.</param>
    public static Task<WorkloadMesh> StartAsync(
        KitBundle kit, string bundleDirectory, string runtimeDirectory, Func<string, WorkloadIngress?> ingressOf, ILogger logger, CancellationToken cancellationToken) =>
        StartAsync(kit, bundleDirectory, runtimeDirectory, ingressOf, logger, MeshLimits.Default, cancellationToken);

    internal static async Task<WorkloadMesh> StartAsync(
        KitBundle kit, string bundleDirectory, string runtimeDirectory, Func<string, WorkloadIngress?> ingressOf, ILogger logger, MeshLimits limits,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(kit);
        ArgumentException.ThrowIfNullOrEmpty(bundleDirectory);
        ArgumentException.ThrowIfNullOrEmpty(runtimeDirectory);
        ArgumentNullException.ThrowIfNull(ingressOf);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(limits);
        cancellationToken.ThrowIfCancellationRequested();

        var topology = MeshTopology.From(kit);
        var mesh = new WorkloadMesh(kit, topology, runtimeDirectory, limits, logger);
        try
        {
            mesh.Listen(kit, topology, bundleDirectory, runtimeDirectory, ingressOf, limits);
        }
        catch
        {
            await mesh.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        MeshLog.Started(logger, mesh.InboundSockets.Count, mesh._connectionSockets.Count);
        return mesh;
    }

    /// <summary>The socket <paramref name="source"/> uses to reach <paramref name="target"/>; throws when it declared no such connection.</summary>
    public string ConnectionSocket(string source, string target)
    {
        CheckWorkload(source);
        return _connectionSockets.TryGetValue((source, target), out var socket)
            ? socket
            : throw new ArgumentException($"Workload '{source}' does not declare a connection to '{target}'.", nameof(target));
    }

    /// <summary>Every connection socket of <paramref name="source"/>, to bind into its sandbox.</summary>
    public IReadOnlyList<string> ConnectionSockets(string source)
    {
        CheckWorkload(source);
        return [.. _connectionSockets.Where(c => c.Key.Source == source).Select(c => c.Value)];
    }

    /// <summary>The value of <c>CAPAKIT_CONNECTED_WORKLOADS</c> for <paramref name="source"/> (<c>[]</c> when it connects to nothing).</summary>
    public string ConnectedWorkloadsJson(string source)
    {
        CheckWorkload(source);
        return _connectedWorkloadsJson[source];
    }

    /// <summary>Closes the listeners and every live connection, and deletes the socket files.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        await _stopping.CancelAsync().ConfigureAwait(false);
        var closing = Task.WhenAll(_listeners.Select(l => l.DisposeAsync().AsTask()));
        try
        {
            await closing.WaitAsync(ShutdownWait).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Connections were told to close and their sockets closed; do not hang the runtime's shutdown on one.
            MeshLog.ShutdownSlow(_logger, (int)ShutdownWait.TotalSeconds);
        }
        if (closing.IsCompleted)
        {
            _credentials?.Dispose();
            _stopping.Dispose();
        }
        DeleteInboundFolder();
    }

    private void Listen(KitBundle kit, MeshTopology topology, string bundleDirectory, string runtimeDirectory, Func<string, WorkloadIngress?> ingressOf, MeshLimits limits)
    {
        // The runtime folder (bound nowhere) and the inbound folder (bound nowhere, ever) are private to this user.
        const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        Directory.CreateDirectory(Path.GetFullPath(runtimeDirectory), Private);
        Directory.CreateDirectory(_inboundFolder, Private);
        File.SetUnixFileMode(_inboundFolder, Private);

        var credentials = _credentials = MeshCredentials.Load(kit, bundleDirectory, topology.Workloads);
        foreach (var (target, sources) in topology.SourcesByTarget)
        {
            var inbound = new InboundProxy(target, credentials.Context(target), credentials, sources, ingressOf, limits, _events, _logger);
            _listeners.Add(MeshListener.Start(InboundSockets[target], inbound.ServeAsync, limits.MaxConnectionsPerProxy, _logger, _stopping.Token));
        }
        foreach (var ((source, target), socket) in _connectionSockets)
        {
            var outbound = new OutboundProxy(
                source, target, kit.Workloads[target].Identity.SpiffeId, InboundSockets[target], kit.Identity.TrustDomain,
                credentials.Context(source), credentials, limits, _events, _logger);
            _listeners.Add(MeshListener.Start(socket, outbound.ServeAsync, limits.MaxConnectionsPerProxy, _logger, _stopping.Token));
        }
    }

    // Each listener deletes its own socket file (and only its own: a file found live at start belongs to someone else).
    private void DeleteInboundFolder()
    {
        try
        {
            if (Directory.Exists(_inboundFolder) && !Directory.EnumerateFileSystemEntries(_inboundFolder).Any())
            {
                Directory.Delete(_inboundFolder);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: the runtime folder goes away with the run.
        }
    }

    private void CheckWorkload(string workload)
    {
        ArgumentNullException.ThrowIfNull(workload);
        if (!_workloads.Contains(workload))
        {
            throw new ArgumentException($"'{workload}' is not a workload of this Kit.", nameof(workload));
        }
    }

    // Hashed names: a collision would make two proxies share a socket, so refuse to start rather than misroute.
    private static void CheckDistinct(IReadOnlyCollection<string> paths)
    {
        if (paths.Distinct(StringComparer.Ordinal).Count() != paths.Count)
        {
            throw new InvalidOperationException("Two mesh sockets hash to the same file name; rename one of the workloads.");
        }
    }
}
