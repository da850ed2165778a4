using System.Runtime.InteropServices;
using CapaKit.Bundle;

namespace CapaKit.Tool.Sandbox.Linux;

/// <summary>
/// What bounds the number of processes (and threads) one sandbox may start, chosen per launch. A pids cgroup counts
/// the sandbox alone, so it is the bound wherever one can be had: the launcher's own group (a delegated v2 subtree,
/// v1 as root), else a systemd user scope. RLIMIT_NPROC is the fallback, and it counts every thread the user runs on
/// the host: a fixed value fails the sandbox's first fork for a user already past it (an IDE and a browser are
/// hundreds), so it is set to the user's current count plus the phase's budget, which leaves the sandbox the budget
/// minus whatever the user's other processes start meanwhile.
/// </summary>
internal sealed partial record ProcessLimit(string Description)
{
    /// <summary>prlimit's <c>--nproc</c>; null leaves RLIMIT_NPROC as inherited, since a pids cgroup bounds the sandbox.</summary>
    public long? Nproc { get; init; }

    /// <summary>The systemd-run arguments that put the rest of the command line in a user scope; empty when not used.</summary>
    public IReadOnlyList<string> ScopeCommand { get; init; } = [];

    /// <summary>The environment the launched program needs (systemd-run's XDG_RUNTIME_DIR); null when none.</summary>
    public IReadOnlyDictionary<string, string>? Environment { get; init; }

    public static ProcessLimit Choose(ResourceLimits limits, CgroupLimiter? cgroup, string cgroupReason)
    {
        if (cgroup is { LimitsProcesses: true })
        {
            return new ProcessLimit($"pids cgroup: at most {limits.PidsMax} processes and threads in this sandbox");
        }
        var scopeReason = "the sandbox already has a cgroup of its own";
        // A scope would move the command out of a memory group the launcher made, so only when it made none.
        if (cgroup is null && SystemdUserScope.Available(out scopeReason) is { } scope)
        {
            return new ProcessLimit($"systemd user scope: at most {limits.PidsMax} processes and threads in this sandbox (TasksMax)")
            {
                ScopeCommand = SystemdUserScope.Command(limits),
                Environment = scope.Environment,
            };
        }
        var uid = UserTasks.RealUid;
        var why = cgroup is null ? $"{cgroupReason}; {scopeReason}" : cgroupReason.Length > 0 ? cgroupReason : "no pids controller";
        return Relative(limits.MaxProcesses, uid, UserTasks.Count(uid), HardLimit(), why);
    }

    /// <summary>RLIMIT_NPROC as the user's current task count plus the budget, capped at the hard limit the caller may not raise.</summary>
    internal static ProcessLimit Relative(long budget, uint uid, int tasks, ulong hardLimit, string noCgroupReason)
    {
        var wanted = tasks + budget;
        var value = (ulong)wanted > hardLimit ? (long)hardLimit : wanted;
        var description = $"RLIMIT_NPROC {value} = the {tasks} tasks uid {uid} runs now + {budget} for this sandbox, counted over every thread of this user on the host (no pids cgroup: {noCgroupReason})";
        if (value < wanted)
        {
            description += $"; capped at the hard limit {hardLimit}";
        }
        if (uid == 0)
        {
            description += "; the kernel does not apply RLIMIT_NPROC to root, so nothing bounds this sandbox's processes";
        }
        return new ProcessLimit(description) { Nproc = value };
    }

    private const int RlimitNproc = 6;

    [StructLayout(LayoutKind.Sequential)]
    private struct Rlimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    /// <summary>This process's hard RLIMIT_NPROC (RLIM_INFINITY is ulong.MaxValue).</summary>
    private static ulong HardLimit() => GetRlimit(RlimitNproc, out var limit) == 0 ? limit.Maximum : ulong.MaxValue;

    [LibraryImport("libc", EntryPoint = "getrlimit")]
    private static partial int GetRlimit(int resource, out Rlimit limit);
}
