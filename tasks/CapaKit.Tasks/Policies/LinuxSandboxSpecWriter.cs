using CapaKit.Bundle;

namespace CapaKit.Tasks.Policies;

/// <summary>
/// Writes the Linux sandbox spec (<c>policies/&lt;workload&gt;.&lt;phase&gt;.linux.json</c>): what the runtime
/// builds the bubblewrap namespaces, mounts, seccomp filter and limits from. Lists are sorted so the file is
/// byte-stable across builds.
/// </summary>
public static class LinuxSandboxSpecWriter
{
    private const long MiB = 1024L * 1024;
    private const long GiB = 1024 * MiB;

    /// <summary>
    /// What any dynamically linked tool needs: libraries, the loader's cache, CA certificates, time zone. Of /etc only
    /// that: never /etc/ssl/private, and the runtime writes /etc/passwd and /etc/group naming the sandbox user alone
    /// (the host's list every account). The runtime also binds what links in these /etc paths point to.
    /// </summary>
    private static readonly string[] SystemPaths =
    [
        "/bin", "/lib", "/lib32", "/lib64", "/sbin", "/usr",
        "/etc/alternatives", "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime", "/etc/ssl/certs",
    ];

    /// <summary>Resolver configuration, bound only when the phase has network: without network it only tells about the host.</summary>
    private static readonly string[] ResolverPaths = ["/etc/hosts", "/etc/nsswitch.conf", "/etc/resolv.conf"];

    public static LinuxSandboxSpec Write(KitBundle kit, WorkloadModel workload, string phase)
    {
        var model = PolicyPhase.Resolve(workload, phase);
        var root = Path.GetFullPath(Path.Combine(kit.Kit.Directory, workload.Root));
        var network = model.Network;
        var isPrepare = phase == "prepare";
        var processes = isPrepare ? 1024 : 512;
        foreach (var mount in workload.Mounts)
        {
            PolicyPhase.IsWritable(mount); // throws on an access value the launcher would not know
        }

        return new LinuxSandboxSpec
        {
            Workload = workload.Name,
            Phase = phase,
            Root = root,
            Mounts = workload.Mounts
                .Select(m => new WorkloadMountModel { Mount = m.Mount, Access = m.Access })
                .OrderBy(m => m.Mount, StringComparer.Ordinal)
                .ToList(),
            ReadOnlySystemPaths = SystemPaths
                .Concat(network == NetworkAccess.None ? [] : ResolverPaths)
                .Order(StringComparer.Ordinal)
                .ToList(),
            // bun install unpacks packages through /tmp; other phases get less room.
            TmpSizeBytes = isPrepare ? GiB : 256 * MiB,
            Network = network,
            // The phase's registries as the model resolved them from the manifest; the runtime reads no other list.
            EgressAllowlist = network == NetworkAccess.Registry ? [.. model.Registries] : [],
            UnshareNamespaces = new[] { "cgroup", "ipc", "net", "pid", "user", "uts" }
                .Where(ns => ns != "net" || network != NetworkAccess.Full)
                .ToList(),
            Environment = new SortedDictionary<string, string>(StringComparer.Ordinal)
            {
                // The runtime puts Bun's folder in front.
                ["PATH"] = "/usr/local/bin:/usr/bin:/bin",
                // Bun's cache and config live in the workload's writable area, never the user's home.
                ["HOME"] = root + "/.capakit/home",
                ["BUN_INSTALL_CACHE_DIR"] = root + "/.capakit/bun-cache",
                // The private tmpfs, not the host's /tmp.
                ["TMPDIR"] = "/tmp",
                ["LANG"] = "C.UTF-8",
            },
            EnvFromOptions = new SortedDictionary<string, string>(model.EnvFromOptions, StringComparer.Ordinal),
            Seccomp = LinuxSeccompRules.For(network),
            Limits = new ResourceLimits
            {
                MaxProcesses = processes,
                MaxOpenFiles = 4096,
                MaxCoreBytes = 0,
                MemoryMaxBytes = 2 * GiB,
                // Same cap as RLIMIT_NPROC so a phase behaves alike on machines with and without cgroup delegation.
                PidsMax = processes,
            },
            TimeoutSeconds = model.TimeoutSeconds > 0 ? model.TimeoutSeconds : DefaultTimeoutSeconds(phase),
        };
    }

    /// <summary>Time limit when the phase sets none: installs and one-off setup end; a started workload runs until stopped (0).</summary>
    public static int DefaultTimeoutSeconds(string phase) => phase switch
    {
        "prepare" or "hydrate" => 600,
        _ => 0,
    };
}
