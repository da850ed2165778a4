using System.Text.Json;
using System.Text.Json.Nodes;
using CapaKit.Bundle;

namespace CapaKit.Tool.Sandbox;

/// <summary>
/// The whole environment a workload sees: the spec's base variables, the workload contract, the phase's
/// options. Nothing is inherited from the host.
/// </summary>
public static class WorkloadEnvironment
{
    public static SortedDictionary<string, string> Build(SandboxRun run, IReadOnlyDictionary<string, string> baseVariables, string backend)
    {
        var env = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in baseVariables)
        {
            env[name] = value;
        }
        var bunDirectory = Path.GetDirectoryName(run.BunExecutable)!;
        env["PATH"] = env.TryGetValue("PATH", out var path) ? $"{bunDirectory}:{path}" : $"{bunDirectory}:/usr/bin:/bin";

        foreach (var (variable, option) in run.PhaseModel.EnvFromOptions)
        {
            if (!run.Options.TryGetValue(option, out var value) && run.Kit.Options.TryGetValue(option, out var declared) && declared.Default is { } fallback)
            {
                value = fallback;
            }
            if (value is null)
            {
                throw new CapaKitException(ExitCodes.Usage,
                    $"Option '{option}' has no default and no value; pass --option {option}=<value>.");
            }
            env[variable] = value;
        }

        if (backend == "linux_sandbox")
        {
            // The command is a child of the pid namespace's init (its parent pid is 1). The `container`
            // variable (systemd's convention) tells workloads that this is expected, so parent-watch code
            // such as the public TypeScript SDK's does not take the sandbox for an orphaned process.
            env["container"] = "capakit";
        }
        // Both eras of the public SDK (the Mid era public Kits pin, the newest Key era), plus the older RUNNER_ names.
        env["CAPAKIT_WORKLOAD_MID"] = run.Workload.Name;
        if (KeyName(run.Workload) is { } key)
        {
            // The newest SDK refuses to start on a key outside its pattern, so an imported workload gets its own manifest's name.
            env["CAPAKIT_WORKLOAD_KEY"] = key;
        }
        env["CAPAKIT_WORKLOAD_HOST_BACKEND"] = backend;
        env["CAPAKIT_RUNNER_HOST_BACKEND"] = backend;
        env["CAPAKIT_MOUNTS_JSON"] = MountsJson(run);
        foreach (var mount in run.Workload.Mounts)
        {
            if (run.MountPaths.TryGetValue(mount.Mount, out var mountPath))
            {
                // What public Kits' commands read without the SDK (e.g. CAPAKIT_MOUNT_MODELS in a hydrate command).
                env["CAPAKIT_MOUNT_" + MountVariableSuffix(mount.Mount)] = mountPath;
            }
        }
        foreach (var (name, value) in run.ContractEnvironment)
        {
            env[name] = value;
        }
        return env;
    }

    /// <summary>The newest SDK's key pattern: a lower-case letter, then letters, digits, '_' or '-', not ending in either.</summary>
    private static readonly System.Text.RegularExpressions.Regex KeyPattern = new("^[a-z](?:[a-z0-9_-]*[a-z0-9])?$");

    /// <summary>The workload's name as its own manifest writes it (an imported one's without the alias prefix), when it is a valid key.</summary>
    internal static string? KeyName(WorkloadModel workload)
    {
        var name = workload.ImportedFrom is { } alias && workload.Name.StartsWith(alias + ".", StringComparison.Ordinal)
            ? workload.Name[(alias.Length + 1)..]
            : workload.Name;
        return KeyPattern.IsMatch(name) ? name : null;
    }

    /// <summary>Upper case, and any character an environment variable name should not hold as '_'.</summary>
    internal static string MountVariableSuffix(string mount) =>
        new([.. mount.ToUpperInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_')]);

    /// <summary><c>{ "&lt;name&gt;": {"mid", "key", "path", "access"} }</c> for the mounts the user bound (both SDK eras' field names).</summary>
    public static string MountsJson(SandboxRun run)
    {
        var mounts = new JsonObject();
        foreach (var mount in run.Workload.Mounts)
        {
            if (run.MountPaths.TryGetValue(mount.Mount, out var path))
            {
                mounts[mount.Mount] = new JsonObject { ["mid"] = mount.Mount, ["key"] = mount.Mount, ["path"] = path, ["access"] = mount.Access };
            }
        }
        return mounts.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
    }

    /// <summary>Every declared mount must be bound to an existing folder before anything runs.</summary>
    public static void CheckMounts(SandboxRun run)
    {
        foreach (var mount in run.Workload.Mounts)
        {
            if (!run.MountPaths.TryGetValue(mount.Mount, out var path))
            {
                var usage = run.Kit.HostMounts.TryGetValue(mount.Mount, out var declared) && declared.Usage is { } u ? $" ({u})" : "";
                throw new CapaKitException(ExitCodes.Usage,
                    $"Workload '{run.Workload.Name}' needs host mount '{mount.Mount}'{usage}; pass --mount {mount.Mount}=<folder>.");
            }
            if (!Directory.Exists(path))
            {
                throw new CapaKitException(ExitCodes.Usage, $"The folder '{path}' given for mount '{mount.Mount}' does not exist; create it or pass another.");
            }
        }
    }
}
