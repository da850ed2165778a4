namespace CapaKit.Bundle;

/// <summary>
/// What the Linux launcher builds a bubblewrap + seccomp sandbox from, for one workload and phase
/// (<c>policies/&lt;workload&gt;.&lt;phase&gt;.linux.json</c>). Per-run values (mount host paths, socket
/// paths, the Bun binary) are not here: the runtime supplies them when it launches.
/// </summary>
public sealed record LinuxSandboxSpec
{
    public int SpecVersion { get; init; } = BundleFormat.CurrentVersion;
    public required string Workload { get; init; }
    public required string Phase { get; init; }

    /// <summary>Absolute host path of the workload root; bound read-write at the same path.</summary>
    public required string Root { get; init; }

    /// <summary>Declared host mounts; the user's host path is bound at the same path with this access.</summary>
    public List<WorkloadMountModel> Mounts { get; init; } = [];

    /// <summary>
    /// Host paths bound read-only when they exist (system libraries, certificates, the shell); for /etc/ssl/certs the
    /// runtime binds what its links point to as well. /etc/passwd and /etc/group are the runtime's own, never listed.
    /// </summary>
    public List<string> ReadOnlySystemPaths { get; init; } = [];

    /// <summary>Private tmpfs at /tmp, capped.</summary>
    public long TmpSizeBytes { get; init; }

    /// <summary>One of <see cref="NetworkAccess"/>.</summary>
    public required string Network { get; init; }

    /// <summary>Hosts the egress proxy lets through when <see cref="Network"/> is <c>registry</c>.</summary>
    public List<string> EgressAllowlist { get; init; } = [];

    /// <summary>Namespaces to unshare (bwrap <c>--unshare-*</c>); <c>net</c> is absent only for full network.</summary>
    public List<string> UnshareNamespaces { get; init; } = [];

    public bool DieWithParent { get; init; } = true;
    public bool NewSession { get; init; } = true;
    public bool NoNewPrivileges { get; init; } = true;
    public bool DropAllCapabilities { get; init; } = true;

    /// <summary>Environment set inside (the host environment is always cleared); the runtime adds the workload contract variables.</summary>
    public SortedDictionary<string, string> Environment { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Environment variables filled from Kit options at run time: variable name to option name.</summary>
    public SortedDictionary<string, string> EnvFromOptions { get; init; } = new(StringComparer.Ordinal);

    public required SeccompPolicy Seccomp { get; init; }
    public required ResourceLimits Limits { get; init; }
    public int TimeoutSeconds { get; init; }
}

/// <summary>A deny-list seccomp filter: everything not listed is allowed.</summary>
public sealed record SeccompPolicy
{
    /// <summary>errno returned by a denied call (EPERM = 1).</summary>
    public int DenyErrno { get; init; } = 1;
    public List<SeccompRule> Rules { get; init; } = [];
}

/// <summary>Deny <see cref="Syscall"/>, or only the calls whose arguments match every condition.</summary>
public sealed record SeccompRule
{
    public required string Syscall { get; init; }
    public List<SeccompArgCondition> When { get; init; } = [];
    /// <summary>errno for this rule when it must differ from <see cref="SeccompPolicy.DenyErrno"/> (e.g. ENOSYS so libc falls back); null means the policy's.</summary>
    public int? Errno { get; init; }
    /// <summary>Why the rule exists (shown by the debug printout).</summary>
    public string? Reason { get; init; }
}

public sealed record SeccompArgCondition
{
    /// <summary>Argument index, 0-based.</summary>
    public int Arg { get; init; }
    /// <summary>
    /// <c>eq</c>, <c>ne</c>, <c>ge</c>, <c>lt</c> (unsigned, on the full 64-bit argument), or <c>masked_eq</c>
    /// (<c>arg &amp; Mask == Value</c>). A rule compares an argument at most once: an open-ended range is one ge or lt, a bounded one several masked_eq rules.
    /// </summary>
    public required string Op { get; init; }
    public ulong Value { get; init; }
    public ulong Mask { get; init; }
}

public sealed record ResourceLimits
{
    /// <summary>The phase's process budget: RLIMIT_NPROC is the user's running tasks plus this where no pids cgroup can be had.</summary>
    public long MaxProcesses { get; init; }
    /// <summary>RLIMIT_NOFILE.</summary>
    public long MaxOpenFiles { get; init; }
    /// <summary>RLIMIT_CORE; 0 so a crash leaves no memory image behind.</summary>
    public long MaxCoreBytes { get; init; }
    /// <summary>cgroup memory.max where the machine delegates cgroups.</summary>
    public long MemoryMaxBytes { get; init; }
    /// <summary>cgroup pids.max where the machine delegates cgroups.</summary>
    public long PidsMax { get; init; }
}
