using System.Runtime.InteropServices;
using CapaKit.Bundle;
using CapaKit.Tool.Sandbox.Linux.Seccomp;

namespace CapaKit.Tool.Sandbox.Linux;

/// <summary>
/// Turns a bundle's Linux sandbox spec plus one run's values into a bubblewrap invocation:
/// namespaces, binds, environment, seccomp (through an inherited fd), rlimits (through prlimit).
/// </summary>
public sealed class LinuxSandboxLauncher(string bwrapPath = "/usr/bin/bwrap", string prlimitPath = "/usr/bin/prlimit")
{
    /// <summary>The user the command runs as inside its user namespace (mapped to the caller outside).</summary>
    public const int SandboxUid = 1000;

    public string BwrapPath { get; } = bwrapPath;

    public SandboxInvocation Prepare(SandboxRun run)
    {
        var specPath = Path.Combine(run.BundleDirectory, run.PhaseModel.LinuxSpec);
        if (!File.Exists(specPath))
        {
            throw new CapaKitException(ExitCodes.KitBuildFailed, $"The bundle has no Linux spec at {specPath}; rebuild the Kit (dotnet build).");
        }
        var spec = BundleFormat.ReadLinuxSpec(specPath);
        WorkloadEnvironment.CheckMounts(run);
        PrepareWritableFolders(run.WorkloadRoot, spec);

        var bwrap = new List<string>();
        foreach (var ns in spec.UnshareNamespaces)
        {
            bwrap.Add(ns == "cgroup" ? "--unshare-cgroup-try" : $"--unshare-{ns}");
        }
        if (spec.UnshareNamespaces.Contains("user"))
        {
            bwrap.AddRange(["--uid", SandboxUid.ToString(), "--gid", SandboxUid.ToString(), "--disable-userns"]);
        }
        if (spec.DieWithParent) bwrap.Add("--die-with-parent");
        if (spec.NewSession) bwrap.Add("--new-session");
        if (spec.DropAllCapabilities) bwrap.AddRange(["--cap-drop", "ALL"]);

        bwrap.Add("--clearenv");
        foreach (var (name, value) in WorkloadEnvironment.Build(run, spec.Environment, "linux_sandbox"))
        {
            bwrap.AddRange(["--setenv", name, value]);
        }

        // An empty root: only what is bound below exists inside.
        bwrap.AddRange(["--proc", "/proc", "--dev", "/dev"]);
        // /proc read-only. bwrap covers /proc/sys only if access(W_OK) finds the folder writable, which it never is,
        // so the sysctl files stay writable to their owner: in a sandbox started by root that is host uid 0, who
        // could set host sysctls (kernel.core_pattern runs a program as host root). Read-only /proc also stops
        // writes to other processes' memory through /proc/<pid>/mem, which the ptrace rule does not see.
        bwrap.AddRange(["--remount-ro", "/proc"]);
        // bwrap's /dev is a tmpfs without a size cap: /dev/shm gets the /tmp cap, the rest of /dev is read-only.
        bwrap.AddRange(["--size", spec.TmpSizeBytes.ToString(), "--tmpfs", "/dev/shm", "--remount-ro", "/dev"]);
        bwrap.AddRange(["--size", spec.TmpSizeBytes.ToString(), "--tmpfs", "/tmp"]);
        bwrap.AddRange(SystemPathBinds.Arguments(spec.ReadOnlySystemPaths, SystemPathBinds.IsCertificateFolder, SystemPathBinds.NeverBound));
        // After the system paths, so a bundle built before this list changed cannot put the host's files back on top.
        var users = SandboxUserDatabase.Write(run.RuntimeDirectory, spec.Environment.GetValueOrDefault("HOME", "/"));
        bwrap.AddRange(["--ro-bind", users.Passwd, "/etc/passwd", "--ro-bind", users.Group, "/etc/group"]);
        var bunDirectory = Path.GetDirectoryName(run.BunExecutable)!;
        bwrap.AddRange(["--ro-bind", bunDirectory, bunDirectory]);
        bwrap.AddRange(["--bind", spec.Root, spec.Root]);
        foreach (var mount in spec.Mounts)
        {
            var host = run.MountPaths[mount.Mount];
            bwrap.AddRange([mount.Access == "read_write" ? "--bind" : "--ro-bind", host, host]);
        }
        foreach (var socket in run.Sockets)
        {
            bwrap.AddRange(["--bind", socket, socket]);
        }
        var argv = run.Argv;
        if (run.Egress is { } egress && spec.Network == NetworkAccess.Registry)
        {
            bwrap.AddRange(["--bind", egress.ProxySocket, egress.ProxySocket]);
            bwrap.AddRange(["--ro-bind", egress.RelayScript, egress.RelayScript]);
            argv = [run.BunExecutable, egress.RelayScript, egress.ProxySocket, egress.LoopbackPort.ToString(), "--", .. run.Argv];
        }
        // The root is an uncapped tmpfs as well (writes there would take host memory past the /tmp cap): read-only
        // once every mount point in it exists.
        bwrap.AddRange(["--remount-ro", "/"]);
        bwrap.AddRange(["--chdir", spec.Root]);

        InheritedDescriptors.MarkCloseOnExec();
        var seccomp = SeccompProgram.Compile(spec.Seccomp);
        var invocation = default(SandboxInvocation);
        var limiter = default(CgroupLimiter);
        try
        {
            var fd = seccomp.CreateInheritableFd();
            bwrap.AddRange(["--seccomp", fd.ToString()]);
            bwrap.Add("--");
            bwrap.AddRange(argv);

            var limits = spec.Limits;
            limiter = CgroupLimiter.TryCreate(limits, out var cgroupReason);
            var processes = ProcessLimit.Choose(limits, limiter, cgroupReason);

            // prlimit sets the rlimits bwrap and everything below it inherit.
            var arguments = new List<string>();
            if (processes.Nproc is { } nproc)
            {
                arguments.Add($"--nproc={nproc}");
            }
            arguments.AddRange([$"--nofile={limits.MaxOpenFiles}", $"--core={limits.MaxCoreBytes}", "--", BwrapPath, .. bwrap]);
            var fileName = prlimitPath;
            if (processes.ScopeCommand.Count > 0)
            {
                // systemd-run moves itself into the new scope, then execs prlimit: same process, now limited.
                arguments = [.. processes.ScopeCommand.Skip(1), prlimitPath, .. arguments];
                fileName = processes.ScopeCommand[0];
            }

            var description = new List<string> { $"{fileName} {string.Join(' ', arguments.Select(Quote))}", "seccomp rules:" };
            description.AddRange(seccomp.Describe().Select(r => "  " + r));

            if (limiter is not null)
            {
                // Join the groups first, then become prlimit → bwrap: nothing runs outside the limits.
                var join = string.Join(" && ", limiter.ProcsFiles.Select(f => $"echo $$ > {Quote(f)}"));
                arguments = ["-c", $"{join} && exec \"$@\"", "capakit-cgroup", fileName, .. arguments];
                fileName = "/bin/sh";
                description.Add("cgroup limits:");
                description.AddRange(limiter.Description.Select(d => "  " + d));
            }
            else
            {
                description.Add($"cgroup limits: none ({cgroupReason})");
            }
            description.Add($"process limit: {processes.Description}");
            invocation = new SandboxInvocation(fileName, arguments, description) { SandboxExecutable = BwrapPath, Environment = processes.Environment };
            invocation.Own(new FileDescriptor(fd));
            invocation.Own(seccomp);
            if (limiter is not null)
            {
                invocation.OwnUntilExit(limiter);
            }
            return invocation;
        }
        catch
        {
            invocation?.Dispose();
            limiter?.Dispose();
            seccomp.Dispose();
            throw;
        }
    }

    /// <summary>HOME and the Bun cache live inside the workload root so installs work and nothing lands in the host's home.</summary>
    private static void PrepareWritableFolders(string root, LinuxSandboxSpec spec)
    {
        if (!Directory.Exists(root))
        {
            throw new CapaKitException(ExitCodes.Usage, $"The workload folder {root} does not exist; create it or rebuild the Kit.");
        }
        foreach (var (name, value) in spec.Environment)
        {
            if (name is "HOME" or "BUN_INSTALL_CACHE_DIR" && value.StartsWith(root + "/", StringComparison.Ordinal))
            {
                // The root is the sandbox's: a link planted at .capakit must not make the runtime create folders where it points.
                SandboxWrittenFiles.CreateDirectoryBeneath(root, value[(root.Length + 1)..]);
            }
        }
    }

    private static string Quote(string arg) =>
        arg.Length > 0 && arg.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:,@%+".Contains(c)) ? arg : "'" + arg.Replace("'", "'\\''") + "'";

    private sealed class FileDescriptor(int fd) : IDisposable
    {
        public void Dispose() => Native.Close(fd);
    }
}

/// <summary>
/// Descriptors this process inherited from whoever started it (a shell's <c>exec 7&lt; folder</c>, a CI runner's
/// pipes) would pass through prlimit and bwrap into the sandbox, and an inherited folder is a way out of the root
/// (<c>openat(fd, "..")</c>). .NET opens its own descriptors close-on-exec; this marks the inherited ones the same.
/// It runs once, before the first launch creates its inheritable seccomp descriptor, so no launch's own is touched.
/// </summary>
internal static partial class InheritedDescriptors
{
    private const int FGetfd = 1;
    private const int FSetfd = 2;
    private const int FdCloexec = 1;

    private static readonly Lazy<int> Marked = new(MarkAll, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Returns how many descriptors were marked (the first call) or were marked before.</summary>
    public static int MarkCloseOnExec() => Marked.Value;

    private static int MarkAll()
    {
        var marked = 0;
        foreach (var entry in Directory.GetFileSystemEntries("/proc/self/fd"))
        {
            if (int.TryParse(Path.GetFileName(entry), out var fd) && fd > 2 && Fcntl(fd, FGetfd, 0) is var flags and >= 0 && (flags & FdCloexec) == 0)
            {
                Fcntl(fd, FSetfd, flags | FdCloexec);
                marked++;
            }
        }
        return marked;
    }

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int command, int argument);
}
