namespace CapaKit.Tasks.Policies;

/// <summary>
/// The fixed parts of the host a Bun process under <c>(deny default)</c> needs on macOS. Paths use the
/// canonical spelling (<c>/private/etc</c>, <c>/private/var</c>): Seatbelt matches resolved paths, so a rule
/// written as <c>/etc/…</c> would silently match nothing.
/// </summary>
internal static class SeatbeltSystemAccess
{
    /// <summary>Folders read whole: libraries, frameworks, the shells and tools commands use, shared data (ICU, zoneinfo).</summary>
    public static readonly IReadOnlyList<string> ReadableSubpaths =
    [
        "/System/Library",
        // The OS cryptex holds the dyld shared cache on macOS 13 and later.
        "/System/Volumes/Preboot/Cryptexes/OS",
        "/bin",
        "/private/etc/ssl",
        "/private/var/db/timezone",
        "/usr/bin",
        "/usr/lib",
        "/usr/share",
    ];

    /// <summary>Single files read: the time zone link and the link the /bin/sh shim reads to pick a shell.</summary>
    public static readonly IReadOnlyList<string> ReadableFiles =
    [
        "/private/etc/localtime",
        "/private/var/select/sh",
    ];

    /// <summary>Where code may be mapped executable: system libraries and frameworks (Bun's own folder and the workload root come from parameters).</summary>
    public static readonly IReadOnlyList<string> ExecutableMappingSubpaths =
    [
        "/System/Library",
        "/System/Volumes/Preboot/Cryptexes/OS",
        "/usr/lib",
    ];

    /// <summary>System folders whose programs may be started (sh, env, git, …).</summary>
    public static readonly IReadOnlyList<string> ExecutableSubpaths = ["/bin", "/usr/bin"];

    /// <summary>
    /// sysctl names Bun/Node and libSystem read at start and for <c>os.*</c>; a missing one gives wrong
    /// answers rather than errors, so the list is explicit instead of a blanket allow.
    /// </summary>
    public static readonly IReadOnlyList<string> ReadableSysctls =
    [
        "hw.activecpu",
        "hw.byteorder",
        "hw.cachelinesize",
        "hw.cpufamily",
        "hw.cpufrequency",
        "hw.cpusubtype",
        "hw.cputype",
        "hw.l1dcachesize",
        "hw.l1icachesize",
        "hw.l2cachesize",
        "hw.l3cachesize",
        "hw.logicalcpu",
        "hw.logicalcpu_max",
        "hw.machine",
        "hw.memsize",
        "hw.model",
        "hw.ncpu",
        "hw.nperflevels",
        "hw.optional.arm64",
        "hw.optional.armv8_1_atomics",
        "hw.optional.armv8_crc32",
        "hw.optional.avx1_0",
        "hw.optional.avx2_0",
        "hw.optional.avx512f",
        "hw.optional.neon",
        "hw.optional.sse4_2",
        "hw.pagesize",
        "hw.pagesize_compat",
        "hw.perflevel0.logicalcpu",
        "hw.perflevel0.physicalcpu",
        "hw.perflevel1.logicalcpu",
        "hw.perflevel1.physicalcpu",
        "hw.physicalcpu",
        "hw.physicalcpu_max",
        "hw.tbfrequency",
        "kern.argmax",
        "kern.boottime",
        "kern.hostname",
        "kern.maxfilesperproc",
        "kern.osproductversion",
        "kern.osrelease",
        "kern.ostype",
        "kern.osvariant_status",
        "kern.osversion",
        "kern.version",
        "machdep.cpu.brand_string",
        "machdep.cpu.core_count",
        "machdep.cpu.thread_count",
        "sysctl.proc_translated",
        "vm.loadavg",
    ];

    /// <summary>
    /// Mach services every phase may look up: user/group lookups (getpwuid) and CoreFoundation preferences.
    /// Never LaunchServices (<c>com.apple.lsd.*</c>): it opens URLs and apps outside the sandbox.
    /// </summary>
    public static readonly IReadOnlyList<string> MachServices =
    [
        "com.apple.cfprefsd.agent",
        "com.apple.cfprefsd.daemon",
        "com.apple.system.opendirectoryd.libinfo",
    ];

    /// <summary>Mach services for phases with full network: DNS configuration, mDNSResponder, TLS trust and revocation.</summary>
    public static readonly IReadOnlyList<string> NetworkMachServices =
    [
        "com.apple.SecurityServer",
        "com.apple.SystemConfiguration.DNSConfiguration",
        "com.apple.SystemConfiguration.configd",
        "com.apple.dnssd.service",
        "com.apple.ocspd",
        "com.apple.trustd",
        "com.apple.trustd.agent",
    ];

    /// <summary>Files the resolver reads in phases with full network (<c>/etc/resolv.conf</c> links into <c>/private/var/run</c>).</summary>
    public static readonly IReadOnlyList<string> NetworkReadableFiles =
    [
        "/private/etc/hosts",
        "/private/etc/protocols",
        "/private/etc/resolv.conf",
        "/private/etc/services",
        "/private/var/run/resolv.conf",
    ];

    /// <summary>mDNSResponder's socket: getaddrinfo() asks it for every name.</summary>
    public const string MdnsResponderSocket = "/private/var/run/mDNSResponder";
}
