using CapaKit.Bundle;
using CapaKit.Tool.Bun;
using CapaKit.Tool.Egress;
using CapaKit.Tool.Kits;
using CapaKit.Tool.Output;
using CapaKit.Tool.Sandbox.Linux;
using CapaKit.Tool.Sandbox.MacOS;
using Microsoft.Extensions.Logging.Abstractions;

namespace CapaKit.Tool.Sandbox;

public sealed record WorkloadRunRequest
{
    public required KitProject Kit { get; init; }
    public required KitBundle Bundle { get; init; }
    public required WorkloadModel Workload { get; init; }
    public required string Phase { get; init; }
    public required IReadOnlyList<string> Argv { get; init; }
    public IReadOnlyDictionary<string, string> Options { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, string> Mounts { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, string> ContractEnvironment { get; init; } = new Dictionary<string, string>();
    public IReadOnlyList<string> Sockets { get; init; } = [];
    public TimeSpan? Timeout { get; init; }
    public bool Capture { get; init; }
    public string? StandardInput { get; init; }
}

/// <summary>
/// Runs one phase command of one workload in its platform sandbox: finds Bun, resolves mounts and options,
/// starts the egress proxy for a registry phase, and waits. `exec` and the orchestrator share it.
/// </summary>
public static class WorkloadRunner
{
    /// <summary>Port the in-sandbox relay listens on; the sandbox has its own network namespace, so any port is free.</summary>
    public const int EgressLoopbackPort = 3128;

    public static async Task<SandboxResult> RunAsync(WorkloadRunRequest request, ConsoleOutput output, CancellationToken ct, Action<string, bool>? onLine = null)
    {
        await using var prepared = await PrepareAsync(request, output, ct);
        return await SandboxProcess.RunAsync(prepared.Invocation, prepared.Timeout, request.Capture, standardInput: request.StandardInput, ct: ct, onLine: onLine);
    }

    /// <summary>Everything up to the start of the sandbox: Bun, mounts, options, the egress proxy of a registry phase, the platform invocation.</summary>
    public static async Task<PreparedWorkloadRun> PrepareAsync(WorkloadRunRequest request, ConsoleOutput output, CancellationToken ct)
    {
        foreach (var option in request.Options.Keys.Where(o => !request.Bundle.Options.ContainsKey(o)))
        {
            throw new CapaKitException(ExitCodes.Usage,
                $"The Kit has no option '{option}'; its options are {(request.Bundle.Options.Count == 0 ? "none" : string.Join(", ", request.Bundle.Options.Keys))}.");
        }
        var bun = BunLocator.Find() ?? await output.StatusAsync("Installing Bun", status =>
            new BunProvisioner().EnsureAsync(progress: new Progress<string>(status), ct: ct));

        StartupTrace.Mark("bun located");
        var phase = request.Workload.Phases.TryGetValue(request.Phase, out var p)
            ? p
            : throw new CapaKitException(ExitCodes.Usage,
                $"Workload '{request.Workload.Name}' has no {request.Phase} phase, so there is no policy for it; its phases are {string.Join(", ", request.Workload.Phases.Keys)}.");

        var prepared = new PreparedWorkloadRun { RuntimeFolder = RuntimeFolder.Create() };
        try
        {
            var run = new SandboxRun
            {
                BundleDirectory = request.Kit.BundleDirectory,
                Kit = request.Bundle,
                Workload = request.Workload,
                Phase = request.Phase,
                Argv = request.Argv,
                RuntimeDirectory = prepared.RuntimeFolder.Path,
                BunExecutable = bun.Executable,
                MountPaths = ResolveMounts(request, bun.Executable),
                Options = request.Options,
                ContractEnvironment = request.ContractEnvironment,
                Sockets = request.Sockets,
            };
            if (phase.Network == NetworkAccess.Registry)
            {
                var socket = Path.Combine(prepared.RuntimeFolder.Path, "egress.sock");
                var policy = new EgressPolicy(RegistryAllowlist.For(run));
                prepared.Proxy = await EgressProxy.StartAsync(policy, socket, NullLogger.Instance, ct);
                run = run with { Egress = new EgressHookup(socket, SandboxEgressRelay.WriteRelayScript(prepared.RuntimeFolder.Path), EgressLoopbackPort) };
            }

            prepared.Invocation = OperatingSystem.IsMacOS()
                ? new SeatbeltLauncher().Prepare(run, Path.Combine(prepared.RuntimeFolder.Path, "tmp"))
                : new LinuxSandboxLauncher().Prepare(run);
            StartupTrace.Mark("sandbox prepared");
            prepared.Timeout = request.Timeout ?? (phase.TimeoutSeconds > 0 ? TimeSpan.FromSeconds(phase.TimeoutSeconds) : null);
            if (Environment.GetEnvironmentVariable("CAPAKIT_DEBUG_SEATBELT_POLICY") == "1")
            {
                foreach (var line in prepared.Invocation.PolicyDescription)
                {
                    output.Raw(line);
                }
            }
            return prepared;
        }
        catch
        {
            await prepared.DisposeAsync();
            throw;
        }
    }

    /// <summary>--mount values, resolved to real paths (symlinks followed) so the bind is what the user meant.</summary>
    private static Dictionary<string, string> ResolveMounts(WorkloadRunRequest request, string bunExecutable)
    {
        var resolved = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, path) in request.Mounts)
        {
            if (!request.Bundle.HostMounts.ContainsKey(name))
            {
                throw new CapaKitException(ExitCodes.Usage,
                    $"The Kit declares no host mount '{name}'; its mounts are {(request.Bundle.HostMounts.Count == 0 ? "none" : string.Join(", ", request.Bundle.HostMounts.Keys))}.");
            }
            var full = Path.GetFullPath(path, Environment.CurrentDirectory);
            if (!Directory.Exists(full))
            {
                throw new CapaKitException(ExitCodes.Usage, $"The folder '{path}' given for mount '{name}' does not exist; create it or pass another.");
            }
            var real = MountOverlapCheck.RealPath(full);
            if (request.Workload.Mounts.Any(m => m.Mount == name))
            {
                MountOverlapCheck.Check(name, real, request.Kit, request.Bundle, request.Workload, bunExecutable);
            }
            resolved[name] = real;
        }
        return resolved;
    }
}

/// <summary>A sandbox ready to start, with what must live as long as it runs (its runtime folder, the egress proxy).</summary>
public sealed class PreparedWorkloadRun : IAsyncDisposable
{
    public SandboxInvocation Invocation { get; set; } = null!;
    public TimeSpan? Timeout { get; set; }
    public required RuntimeFolder RuntimeFolder { get; init; }
    public EgressProxy? Proxy { get; set; }

    public async ValueTask DisposeAsync()
    {
        Invocation?.Dispose();
        if (Proxy is not null)
        {
            await Proxy.DisposeAsync();
        }
        RuntimeFolder.Dispose();
    }
}
