using System.Collections.Concurrent;
using System.Net.Sockets;
using CapaKit.Bundle;
using CapaKit.Tool.Gateway;
using CapaKit.Tool.Ingress;
using CapaKit.Tool.Kits;
using CapaKit.Tool.Mesh;
using CapaKit.Tool.Output;
using CapaKit.Tool.Sandbox;
using CapaKit.Tool.Secrets;
using Microsoft.Extensions.Logging;

namespace CapaKit.Tool.Runtime;

/// <summary>What `up` was asked for.</summary>
public sealed record UpRequest
{
    public required KitProject Kit { get; init; }
    public required KitBundle Bundle { get; init; }
    public IReadOnlyDictionary<string, string> Options { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, string> Mounts { get; init; } = new Dictionary<string, string>();
    public int? Port { get; init; }
    /// <summary>How long a started workload may take to answer on its ingress.</summary>
    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromSeconds(60);
}

/// <summary>
/// Runs a whole Kit: prepare and hydrate phases (skipped when their inputs are unchanged), then every workload's
/// start command in connection order, each ready when its ingress answers; the mTLS mesh between them, a
/// secrets bridge per workload, the host gateway; restarts with backoff; an orderly stop.
/// </summary>
public sealed class KitSupervisor : IAsyncDisposable
{
    private readonly UpRequest _request;
    private readonly InstancePaths _paths;
    private readonly ConsoleOutput _output;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _log;
    private readonly InstanceState _state;
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
    // Read by the mesh's and the gateway's threads while later workloads are still being added.
    private readonly ConcurrentDictionary<string, WorkloadLoop> _loops = new(StringComparer.Ordinal);
    private readonly List<SecretsBridge> _bridges = [];
    private readonly Lock _stateLock = new();
    private WorkloadMesh? _mesh;
    private KitGateway? _gateway;

    public KitSupervisor(UpRequest request, InstancePaths paths, ConsoleOutput output, ILoggerFactory loggers)
    {
        _request = request;
        _paths = paths;
        _output = output;
        _loggers = loggers;
        _log = loggers.CreateLogger("capakit");
        _state = new InstanceState
        {
            Kit = request.Bundle.Kit.Name,
            ProjectFile = request.Kit.ProjectFile,
            SupervisorPid = Environment.ProcessId,
            SupervisorStartTicks = InstanceState.StartTicks(Environment.ProcessId),
            StartedAt = DateTimeOffset.UtcNow,
        };
        var order = request.Bundle.StartOrder;
        for (var i = 0; i < order.Count; i++)
        {
            _index[order[i]] = i;
            _state.Workloads[order[i]] = new WorkloadState();
        }
    }

    public InstanceState State => _state;

    /// <summary>Raised after every state change (a workload preparing, starting, ready, restarting…), for progress displays.</summary>
    public event Action<InstanceState>? Changed;

    /// <summary>One line with every workload's status, e.g. "api: ready · web: starting".</summary>
    public static string Summary(InstanceState state) =>
        string.Join(" · ", state.Workloads.Select(w => $"{w.Key}: {w.Value.Status}{(w.Value.Restarts > 0 ? $" ({w.Value.Restarts} restarts)" : "")}"));

    /// <summary>Brings the Kit up; returns once every workload is ready (or throws with the reason). Workloads keep running until <see cref="DisposeAsync"/>.</summary>
    public async Task StartAsync(Action<string>? status, CancellationToken ct)
    {
        var bundle = _request.Bundle;
        _paths.Create();
        // Each run starts its workloads' logs afresh (`logs` shows this run, like a container's lifetime).
        foreach (var name in bundle.StartOrder)
        {
            File.Delete(_paths.LogFile(name));
        }
        SaveState();

        ISecretSource secrets = KitUserSecrets.TryOpen(bundle) is { } store ? store : new NoSecrets();
        var missing = MissingSecrets.Check(bundle, secrets);
        if (missing.Count > 0)
        {
            throw new CapaKitException(ExitCodes.Usage,
                MissingSecrets.Describe(missing, Packages.KitPackageCache.KitOptionFor(_request.Kit.ProjectFile, Environment.CurrentDirectory)));
        }

        // Installs and one-off setup first, in start order, each skipped when its inputs are unchanged.
        foreach (var name in bundle.StartOrder)
        {
            foreach (var phase in new[] { "prepare", "hydrate" })
            {
                await RunSetupPhaseAsync(bundle.Workloads[name], phase, status, ct);
            }
        }

        _mesh = await WorkloadMesh.StartAsync(bundle, _request.Kit.BundleDirectory, _paths.MeshDirectory,
            w => _loops.TryGetValue(w, out var l) ? l.Ingress : null, _loggers.CreateLogger("capakit.mesh"), ct);

        foreach (var name in bundle.StartOrder)
        {
            var workload = bundle.Workloads[name];
            var socketDirectory = _paths.SocketDirectory(_index[name]);
            // The folder was the sandbox's to write in an earlier run (one whose supervisor was killed may have left links
            // there, e.g. at br.sock): start from an empty one. Deleting removes links, never what they point to.
            if (Directory.Exists(socketDirectory))
            {
                Directory.Delete(socketDirectory, recursive: true);
            }
            Directory.CreateDirectory(socketDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var bridge = await SecretsBridge.StartAsync(_paths.BridgeSocket(_index[name]), name, SecretGrants.For(bundle, name), secrets,
                _loggers.CreateLogger("capakit.secrets"), ct);
            _bridges.Add(bridge);

            status?.Invoke($"Starting {name}");
            var loop = new WorkloadLoop(this, workload);
            bridge.WorkloadReadyReported += loop.ReadyReported;
            _loops[name] = loop;
            await loop.StartAsync(ct);
        }

        var gateway = await KitGateway.StartAsync(bundle, new GatewayOptions(_request.Port),
            w => _loops.TryGetValue(w, out var l) && l.IsReady ? l.Ingress : null,
            _loggers.CreateLogger("capakit.gateway"), ct);
        Volatile.Write(ref _gateway, gateway); // the workload loops read it from their own threads
        lock (_stateLock)
        {
            _state.Status = "ready";
            _state.GatewayUrl = gateway.BaseUri.ToString();
            _state.Urls = gateway.Urls.Select(u => $"{u.Path} {u.Url}").ToList();
            _state.MergedMcpUrl = gateway.MergedMcpUrl?.ToString();
            _state.OpenAiBaseUrl = gateway.OpenAiBaseUrl?.ToString();
        }
        SaveState();
    }

    public IReadOnlyList<(string Path, Uri Url)> Urls => _gateway?.Urls ?? [];

    private async Task RunSetupPhaseAsync(WorkloadModel workload, string phase, Action<string>? status, CancellationToken ct)
    {
        if (!workload.Phases.TryGetValue(phase, out var model))
        {
            return;
        }
        var root = Path.GetFullPath(Path.Combine(_request.Bundle.Kit.Directory, workload.Root));
        if (PrepareCache.IsCurrent(root, phase, model.Command))
        {
            Log(workload.Name, $"{phase}: inputs unchanged since the last success, skipped");
            return;
        }
        UpdateWorkload(workload.Name, s => s.Status = phase == "prepare" ? "preparing" : "hydrating");
        status?.Invoke($"{workload.Name}: {phase} ({model.Command})");
        Log(workload.Name, $"{phase}: {model.Command}");
        var result = await WorkloadRunner.RunAsync(Request(workload, phase, [.. model.Argv], sockets: []) with { Capture = true }, _output, ct,
            (line, _) => Log(workload.Name, line));
        if (result.ExitCode != 0)
        {
            UpdateWorkload(workload.Name, s => { s.Status = "failed"; s.LastExitCode = result.ExitCode; s.Message = $"{phase} failed"; });
            throw new CapaKitException(ExitCodes.Tool,
                $"The {phase} phase of '{workload.Name}' failed with exit code {result.ExitCode}{(result.TimedOut ? " (time limit)" : "")}; see: dotnet capakit logs {workload.Name}.");
        }
        PrepareCache.MarkDone(root, phase, model.Command);
    }

    private WorkloadRunRequest Request(WorkloadModel workload, string phase, IReadOnlyList<string> argv, IReadOnlyList<string> sockets,
        IReadOnlyDictionary<string, string>? contract = null) => new()
    {
        Kit = _request.Kit,
        Bundle = _request.Bundle,
        Workload = workload,
        Phase = phase,
        Argv = argv,
        Options = _request.Options,
        Mounts = _request.Mounts.Where(m => workload.Mounts.Any(w => w.Mount == m.Key)).ToDictionary(),
        ContractEnvironment = contract ?? new Dictionary<string, string>(),
        Sockets = sockets,
    };

    /// <summary>A workload became ready or stopped: the gateway tells its protocol clients (e.g. MCP's tools/list_changed).</summary>
    private void AvailabilityChanged(string workload) => Volatile.Read(ref _gateway)?.WorkloadAvailabilityChanged(workload);

    private void UpdateWorkload(string name, Action<WorkloadState> change)
    {
        lock (_stateLock)
        {
            change(_state.Workloads[name]);
        }
        SaveState();
    }

    private void SaveState()
    {
        lock (_stateLock)
        {
            _state.Write(_paths.StateFile);
        }
        Changed?.Invoke(_state);
    }

    private readonly Lock _logLock = new();

    /// <summary>One line in the workload's log file, with a UTC timestamp.</summary>
    internal void Log(string workload, string line)
    {
        lock (_logLock)
        {
            File.AppendAllText(_paths.LogFile(workload), $"{DateTimeOffset.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ} {line}\n");
        }
    }

    public async ValueTask DisposeAsync()
    {
        lock (_stateLock)
        {
            _state.Status = "stopping";
        }
        SaveState();
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }
        // Dependents first: the reverse of start order.
        foreach (var name in Enumerable.Reverse(_request.Bundle.StartOrder))
        {
            if (_loops.TryGetValue(name, out var loop))
            {
                await loop.StopAsync();
            }
        }
        foreach (var bridge in _bridges)
        {
            await bridge.DisposeAsync();
        }
        if (_mesh is not null)
        {
            await _mesh.DisposeAsync();
        }
        foreach (var index in _index.Values)
        {
            try
            {
                Directory.Delete(_paths.SocketDirectory(index), recursive: true);
            }
            catch (IOException)
            {
            }
        }
        lock (_stateLock)
        {
            _state.Status = "stopped";
        }
        SaveState();
    }

    /// <summary>One workload's start command, kept running under its restart policy.</summary>
    private sealed class WorkloadLoop(KitSupervisor owner, WorkloadModel workload)
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly TaskCompletionSource _firstReady = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private RunningSandbox? _current;
        private WorkloadIngress? _ingress;
        private Task? _loop;

        public bool IsReady { get; private set; }

        /// <summary>The current run's ingress (its socket and the sandbox that must listen on it), null between runs.</summary>
        public WorkloadIngress? Ingress => Volatile.Read(ref _ingress);

        public async Task StartAsync(CancellationToken ct)
        {
            _loop = Task.Run(() => RunAsync(_stop.Token));
            using var timeout = new CancellationTokenSource(owner._request.ReadyTimeout);
            using var either = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, ct);
            var finished = await Task.WhenAny(_firstReady.Task, Task.Delay(Timeout.Infinite, either.Token));
            if (finished != _firstReady.Task)
            {
                ct.ThrowIfCancellationRequested();
                throw new CapaKitException(ExitCodes.Tool,
                    $"'{workload.Name}' did not answer on its ingress within {owner._request.ReadyTimeout.TotalSeconds:0} s; see: dotnet capakit logs {workload.Name}.");
            }
            await _firstReady.Task;
        }

        private async Task RunAsync(CancellationToken stop)
        {
            var index = owner._index[workload.Name];
            var ingress = owner._paths.IngressSocket(index);
            var contract = new Dictionary<string, string>
            {
                // Today's names (both SDK eras read these) and the older RUNNER_ ones, kept as aliases.
                ["CAPAKIT_WORKLOAD_INGRESS_BIND"] = "unix:" + ingress,
                ["CAPAKIT_WORKLOAD_BRIDGE_BIND"] = "unix:" + owner._paths.BridgeSocket(index),
                ["CAPAKIT_RUNNER_MANAGED_INGRESS_BIND"] = "unix:" + ingress,
                ["CAPAKIT_RUNNER_BRIDGE_BIND"] = "unix:" + owner._paths.BridgeSocket(index),
                ["CAPAKIT_CONNECTED_WORKLOADS"] = owner._mesh!.ConnectedWorkloadsJson(workload.Name),
            };
            List<string> sockets = [owner._paths.SocketDirectory(index), .. workload.Connections.Select(peer => owner._mesh.ConnectionSocket(workload.Name, peer))];
            var phase = workload.Phases["start"];
            var backoff = TimeSpan.FromSeconds(1);
            while (!stop.IsCancellationRequested)
            {
                int exitCode;
                var started = DateTimeOffset.UtcNow;
                try
                {
                    File.Delete(ingress);
                    await using var prepared = await WorkloadRunner.PrepareAsync(owner.Request(workload, "start", [.. phase.Argv], sockets, contract), owner._output, stop);
                    using var running = RunningSandbox.Start(prepared.Invocation, (line, _) => owner.Log(workload.Name, line));
                    _current = running;
                    // Refusals (a socket that is not this sandbox's at the ingress name) go to the workload's log.
                    Volatile.Write(ref _ingress, new WorkloadIngress(workload.Name, ingress, running.Process.Id, line => owner.Log(workload.Name, line)));
                    owner.UpdateWorkload(workload.Name, s => { s.Status = "starting"; s.Pid = running.Process.Id; s.StartedAt = started; });
                    owner.Log(workload.Name, $"started (pid {running.Process.Id}): {phase.Command}");

                    var ready = WaitForIngressAsync(Ingress!, running, stop);
                    var exited = running.Process.WaitForExitAsync(CancellationToken.None);
                    if (await Task.WhenAny(ready, exited) == ready && await ready)
                    {
                        IsReady = true;
                        owner.AvailabilityChanged(workload.Name);
                        owner.UpdateWorkload(workload.Name, s => s.Status = "ready");
                        owner.Log(workload.Name, "ready");
                        _firstReady.TrySetResult();
                    }
                    await exited;
                    if (IsReady)
                    {
                        IsReady = false;
                        owner.AvailabilityChanged(workload.Name);
                    }
                    exitCode = running.Process.ExitCode;
                    _current = null;
                    Volatile.Write(ref _ingress, null);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    _current = null;
                    Volatile.Write(ref _ingress, null);
                    break;
                }
                catch (CapaKitException e)
                {
                    owner.Log(workload.Name, "error: " + e.Message);
                    owner.UpdateWorkload(workload.Name, s => { s.Status = "failed"; s.Message = e.Message; });
                    _firstReady.TrySetException(e);
                    return;
                }
                if (stop.IsCancellationRequested)
                {
                    break;
                }

                owner.Log(workload.Name, $"exited with code {exitCode}");
                var restart = workload.Restart == RestartPolicy.Always || (workload.Restart == RestartPolicy.OnFailure && exitCode != 0);
                if (!restart)
                {
                    owner.UpdateWorkload(workload.Name, s => { s.Status = "exited"; s.LastExitCode = exitCode; s.Pid = null; });
                    _firstReady.TrySetException(new CapaKitException(ExitCodes.Tool,
                        $"'{workload.Name}' exited with code {exitCode} before it was ready; see: dotnet capakit logs {workload.Name}."));
                    return;
                }
                // A workload that ran for a while earns a fresh backoff.
                if (DateTimeOffset.UtcNow - started > TimeSpan.FromSeconds(60))
                {
                    backoff = TimeSpan.FromSeconds(1);
                }
                owner.UpdateWorkload(workload.Name, s => { s.Status = "restarting"; s.Restarts++; s.LastExitCode = exitCode; s.Pid = null; });
                owner.Log(workload.Name, $"restarting in {backoff.TotalSeconds:0} s ({workload.Restart})");
                try
                {
                    await Task.Delay(backoff, stop);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                backoff = TimeSpan.FromSeconds(Math.Min(backoff.TotalSeconds * 2, 30));
            }
            owner.UpdateWorkload(workload.Name, s => { s.Status = "stopped"; s.Pid = null; });
        }

        /// <summary>
        /// Ready = the sandbox itself accepts a connection on the ingress socket (or, with no endpoints, it is running);
        /// a link or another's socket at the name is refused and logged, and never counts.
        /// </summary>
        private TaskCompletionSource _readyNudge = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>The workload said workload_ready: its ingress should answer now.</summary>
        public void ReadyReported() => Volatile.Read(ref _readyNudge).TrySetResult();

        private async Task<bool> WaitForIngressAsync(WorkloadIngress ingress, RunningSandbox running, CancellationToken stop)
        {
            if (workload.Endpoints.Count == 0)
            {
                return true;
            }
            while (!stop.IsCancellationRequested && !running.Process.HasExited)
            {
                try
                {
                    using var socket = await ingress.ConnectAsync(stop);
                    return true;
                }
                catch (Exception e) when (e is SocketException or IngressRefusedException)
                {
                }
                // The workload creates its socket when it is ready to listen; poll briefly, or look again at once when
                // the workload says workload_ready over its bridge (the newest SDK does; nothing waits for it).
                var nudge = _readyNudge;
                await Task.WhenAny(Task.Delay(25, stop), nudge.Task);
                if (nudge.Task.IsCompleted)
                {
                    Interlocked.CompareExchange(ref _readyNudge, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), nudge);
                }
                stop.ThrowIfCancellationRequested();
            }
            return false;
        }

        public async Task StopAsync()
        {
            await _stop.CancelAsync();
            if (_current is { } running)
            {
                await running.StopAsync();
            }
            if (_loop is not null)
            {
                await _loop;
            }
        }
    }

    /// <summary>A Kit without a UserSecretsId has no stored secrets.</summary>
    private sealed class NoSecrets : ISecretSource
    {
        public bool TryGet(string name, out string value)
        {
            value = "";
            return false;
        }
    }
}
