using CapaKit.Bundle;

namespace CapaKit.Tool.Sandbox;

/// <summary>One sandboxed command: what the bundle says plus the values only known at run time.</summary>
public sealed record SandboxRun
{
    public required string BundleDirectory { get; init; }
    public required KitBundle Kit { get; init; }
    public required WorkloadModel Workload { get; init; }
    public required string Phase { get; init; }
    public required IReadOnlyList<string> Argv { get; init; }

    /// <summary>This run's private folder (<see cref="Sandbox.RuntimeFolder"/>): files the launcher writes for the sandbox.</summary>
    public required string RuntimeDirectory { get; init; }

    /// <summary>Absolute path of the Bun executable; its folder is bound read-only and put first on PATH.</summary>
    public required string BunExecutable { get; init; }

    /// <summary>Declared mount name → real (symlink-resolved) host folder the user bound to it.</summary>
    public IReadOnlyDictionary<string, string> MountPaths { get; init; } = new Dictionary<string, string>();

    /// <summary>Kit option values (defaults already applied) for the phase's env_from_options.</summary>
    public IReadOnlyDictionary<string, string> Options { get; init; } = new Dictionary<string, string>();

    /// <summary>Workload contract variables set by the runtime (ingress, bridge, connected workloads).</summary>
    public IReadOnlyDictionary<string, string> ContractEnvironment { get; init; } = new Dictionary<string, string>();

    /// <summary>Unix sockets the runtime serves, bound at the same path inside (ingress, bridge, peers).</summary>
    public IReadOnlyList<string> Sockets { get; init; } = [];

    /// <summary>The egress proxy's unix socket for a <c>registry</c> phase, and the relay script that exposes it on loopback.</summary>
    public EgressHookup? Egress { get; init; }

    public string WorkloadRoot => Path.GetFullPath(Path.Combine(Kit.Kit.Directory, Workload.Root));

    public PhaseModel PhaseModel => Workload.Phases.TryGetValue(Phase, out var phase)
        ? phase
        : throw new CapaKitException(ExitCodes.Usage,
            $"Workload '{Workload.Name}' has no {Phase} phase; its phases are {string.Join(", ", Workload.Phases.Keys)}.");
}

/// <summary>How a registry-only phase reaches the runtime's egress proxy from inside its empty network namespace.</summary>
public sealed record EgressHookup(string ProxySocket, string RelayScript, int LoopbackPort);
