using CapaKit.Bundle;
using CapaKit.Tasks.Policies;
using static CapaKit.Tasks.Policies.LinuxSeccompRules;

namespace CapaKit.Tasks.Tests.Policies;

[TestClass]
public sealed class LinuxSandboxSpecWriterTests
{
    private const long MiB = 1024L * 1024;

    private static LinuxSandboxSpec Spec(string workload, string phase)
    {
        var kit = TodoKit.Build();
        return LinuxSandboxSpecWriter.Write(kit, kit.Workloads[workload], phase);
    }

    private static SeccompPolicy Seccomp(string network) => LinuxSeccompRules.For(network);

    public static IEnumerable<object[]> Networks() => [[NetworkAccess.None], [NetworkAccess.Registry], [NetworkAccess.Full]];

    [TestMethod]
    public void RootIsTheAbsoluteWorkloadFolder()
    {
        Assert.AreEqual(TodoKit.ApiRoot, Spec("api", "start").Root);
        var kit = TodoKit.Build() with { Kit = TodoKit.Build().Kit with { Directory = "/kits/todo/./sub/.." } };
        Assert.AreEqual(TodoKit.WebRoot, LinuxSandboxSpecWriter.Write(kit, kit.Workloads["web"], "start").Root);
    }

    [TestMethod]
    public void IdentifiesWorkloadPhaseAndNetwork()
    {
        var spec = Spec("web", "hydrate");
        Assert.AreEqual("web", spec.Workload);
        Assert.AreEqual("hydrate", spec.Phase);
        Assert.AreEqual(NetworkAccess.Full, spec.Network);
        Assert.IsTrue(spec.DieWithParent && spec.NewSession && spec.NoNewPrivileges && spec.DropAllCapabilities);
    }

    [TestMethod]
    public void MountsAreTheWorkloadsOwnWithTheirAccess()
    {
        var api = Spec("api", "start").Mounts.Single();
        Assert.AreEqual(("data", "read_write"), (api.Mount, api.Access));
        var web = Spec("web", "start").Mounts.Single();
        Assert.AreEqual(("docs", "read_only"), (web.Mount, web.Access));
    }

    [TestMethod]
    [DataRow("ptrace")]
    [DataRow("process_vm_readv")]
    [DataRow("process_vm_writev")]
    [DataRow("io_uring_setup")]
    [DataRow("io_uring_enter")]
    [DataRow("io_uring_register")]
    [DataRow("mount")]
    [DataRow("umount2")]
    [DataRow("pivot_root")]
    [DataRow("unshare")]
    [DataRow("setns")]
    [DataRow("keyctl")]
    [DataRow("add_key")]
    [DataRow("request_key")]
    [DataRow("bpf")]
    [DataRow("userfaultfd")]
    [DataRow("perf_event_open")]
    [DataRow("kexec_load")]
    [DataRow("kexec_file_load")]
    [DataRow("init_module")]
    [DataRow("finit_module")]
    [DataRow("delete_module")]
    [DataRow("chroot")]
    [DataRow("swapon")]
    [DataRow("swapoff")]
    [DataRow("reboot")]
    [DataRow("acct")]
    [DataRow("quotactl")]
    [DataRow("open_by_handle_at")]
    [DataRow("name_to_handle_at")]
    [DataRow("lookup_dcookie")]
    [DataRow("iopl")]
    [DataRow("ioperm")]
    [DataRow("socketcall")]
    public void SyscallIsAlwaysDenied(string syscall)
    {
        foreach (var network in new[] { NetworkAccess.None, NetworkAccess.Registry, NetworkAccess.Full })
        {
            var policy = Seccomp(network);
            Assert.AreEqual(Eperm, SeccompFilter.Errno(policy, syscall), $"{syscall} with network {network}");
            Assert.AreEqual(Eperm, SeccompFilter.Errno(policy, syscall, 0x10, 0x20, 0x30), $"{syscall} with any arguments");
            Assert.IsTrue(policy.Rules.Single(r => r.Syscall == syscall).When.Count == 0, "unconditional");
        }
    }

    [TestMethod]
    public void MknodOfDevicesIsDeniedButFifosAndFilesAreNot()
    {
        var policy = Seccomp(NetworkAccess.None);
        const ulong fifo = 0x1000, regular = 0x8000, socket = 0xC000;
        Assert.IsTrue(SeccompFilter.Denies(policy, "mknod", 0, CharacterDevice | 0x1B6, 0x0103));
        Assert.IsTrue(SeccompFilter.Denies(policy, "mknod", 0, BlockDevice | 0x180, 0x0800));
        Assert.IsTrue(SeccompFilter.Denies(policy, "mknod", 0, 0xFFFF_0000_0000_0000 | CharacterDevice), "high bits do not hide the type");
        Assert.IsFalse(SeccompFilter.Denies(policy, "mknod", 0, fifo | 0x1A4, 0));
        Assert.IsFalse(SeccompFilter.Denies(policy, "mknod", 0, regular | 0x1A4, 0));
        Assert.IsFalse(SeccompFilter.Denies(policy, "mknod", 0, socket | 0x1A4, 0));

        // mknodat(dirfd, path, mode, dev): the mode is argument 2.
        Assert.IsTrue(SeccompFilter.Denies(policy, "mknodat", unchecked((ulong)-100), 0, CharacterDevice | 0x1B6, 0x0103));
        Assert.IsTrue(SeccompFilter.Denies(policy, "mknodat", unchecked((ulong)-100), 0, BlockDevice, 0));
        Assert.IsFalse(SeccompFilter.Denies(policy, "mknodat", unchecked((ulong)-100), 0, fifo | 0x1A4, 0));
        Assert.IsFalse(SeccompFilter.Denies(policy, "mknodat", unchecked((ulong)-100), CharacterDevice, fifo, 0), "argument 1 is the path, not the mode");
    }

    [TestMethod]
    public void TerminalInjectionIoctlsAreDenied()
    {
        var policy = Seccomp(NetworkAccess.None);
        Assert.IsTrue(SeccompFilter.Denies(policy, "ioctl", 0, Tiocsti, 0));
        Assert.IsTrue(SeccompFilter.Denies(policy, "ioctl", 0, Tioclinux, 0));
        Assert.IsTrue(SeccompFilter.Denies(policy, "ioctl", 0, 0x1_0000_0000 | Tiocsti, 0), "the kernel reads the request as 32 bits");
        Assert.IsFalse(SeccompFilter.Denies(policy, "ioctl", 0, 0x5401, 0), "TCGETS stays");
        Assert.IsFalse(SeccompFilter.Denies(policy, "ioctl", 0, 0x5413, 0), "TIOCGWINSZ stays");
        Assert.IsFalse(SeccompFilter.Denies(policy, "ioctl", Tiocsti, 0, 0), "argument 0 is the fd");
    }

    [TestMethod]
    public void NewUserNamespacesAreDenied()
    {
        var policy = Seccomp(NetworkAccess.None);
        const ulong sigchld = 17, threadFlags = 0x003D0F00;
        Assert.IsTrue(SeccompFilter.Denies(policy, "clone", CloneNewUser | sigchld));
        Assert.IsTrue(SeccompFilter.Denies(policy, "clone", CloneNewUser | 0x20000 | sigchld), "with CLONE_NEWNS too");
        Assert.IsFalse(SeccompFilter.Denies(policy, "clone", sigchld), "fork");
        Assert.IsFalse(SeccompFilter.Denies(policy, "clone", threadFlags), "pthread_create");
        Assert.AreEqual(Enosys, SeccompFilter.Errno(policy, "clone3", 0x7fff0000, 88), "clone3 says ENOSYS so libc falls back to clone");
    }

    [TestMethod]
    public void PersonalityAllowsOnlyLinuxLinux32AndTheQuery()
    {
        var policy = Seccomp(NetworkAccess.None);
        Assert.IsFalse(SeccompFilter.Denies(policy, "personality", PerLinux));
        Assert.IsFalse(SeccompFilter.Denies(policy, "personality", PerLinux32));
        Assert.IsFalse(SeccompFilter.Denies(policy, "personality", PersonalityQuery));
        Assert.IsTrue(SeccompFilter.Denies(policy, "personality", 0x0040000), "ADDR_NO_RANDOMIZE");
        Assert.IsTrue(SeccompFilter.Denies(policy, "personality", 0x0400000), "READ_IMPLIES_EXEC");
        Assert.IsTrue(SeccompFilter.Denies(policy, "personality", 0x0040008), "PER_LINUX32 | ADDR_NO_RANDOMIZE");
        Assert.IsTrue(SeccompFilter.Denies(policy, "personality", 0xfffffff7), "all bits but 3");
        Assert.IsTrue(SeccompFilter.Denies(policy, "personality", 0x1_0040000), "high bits do not hide a flag");
        Assert.IsFalse(SeccompFilter.Denies(policy, "personality", 0x1_0000_0000), "the kernel sees 0");
    }

    [TestMethod]
    public void PersonalityRulesCoverExactlyTheOtherValues()
    {
        var policy = Seccomp(NetworkAccess.None);
        static bool Allowed(ulong v) => (v & 0xffffffff) is PerLinux or PerLinux32 or PersonalityQuery;

        var samples = new List<ulong>();
        for (var a = 0; a < 32; a++)
        {
            samples.Add(1UL << a);
            samples.Add(0xffffffff ^ (1UL << a));
            for (var b = a + 1; b < 32; b++)
            {
                samples.Add((1UL << a) | (1UL << b));
                samples.Add(0xffffffff ^ ((1UL << a) | (1UL << b)));
            }
        }
        var random = new Random(20240601);
        for (var i = 0; i < 50_000; i++)
        {
            samples.Add((ulong)random.NextInt64());
            samples.Add((ulong)(uint)random.Next() | 0x8);
        }
        samples.AddRange([0, 8, 0xffffffff, 0xffff_ffff_ffff_ffff, 0x8_0000_0008]);

        foreach (var value in samples)
        {
            Assert.AreEqual(!Allowed(value), SeccompFilter.Denies(policy, "personality", value), $"personality(0x{value:x})");
        }
    }

    [TestMethod]
    public void WithoutNetworkOnlyUnixSocketsMayBeCreated()
    {
        var policy = Seccomp(NetworkAccess.None);
        const ulong inet = 2, inet6 = 10, netlink = 16, stream = 1;
        Assert.IsFalse(SeccompFilter.Denies(policy, "socket", AfUnix, stream, 0));
        Assert.IsFalse(SeccompFilter.Denies(policy, "socket", AfUnix, stream | 0x80000, 0), "SOCK_CLOEXEC");
        foreach (var domain in new ulong[] { inet, inet6, netlink, AfPacket, AfVsock, 0x1_0000_0001 })
        {
            Assert.IsTrue(SeccompFilter.Denies(policy, "socket", domain, stream, 0), $"domain {domain}");
        }
    }

    public static IEnumerable<object[]> NetworkPhases() => [[NetworkAccess.Registry], [NetworkAccess.Full]];

    [TestMethod]
    [DynamicData(nameof(NetworkPhases))]
    public void WithNetworkOnlyUnixInetInet6AndNetlinkFamiliesOpen(string network)
    {
        var policy = Seccomp(network);
        const ulong stream = 1, cloexec = 0x80000;
        var families = Enumerable.Range(0, 70).Select(f => (ulong)f)
            .Concat<ulong>([0x7fffffff, 0xffffffff, 0x1_0000_0001, 0x1_0000_0002, 0xffff_ffff_ffff_fffe]);
        foreach (var family in families)
        {
            var allowed = family is AfUnix or AfInet or AfInet6 or AfNetlink;
            Assert.AreEqual(allowed ? null : Eafnosupport, SeccompFilter.Errno(policy, "socket", family, stream | cloexec, 0), $"family 0x{family:x}");
        }
    }

    [TestMethod]
    [DynamicData(nameof(NetworkPhases))]
    public void WithNetworkNetlinkIsRouteOnly(string network)
    {
        var policy = Seccomp(network);
        const ulong raw = 3, dgram = 2, cloexec = 0x80000;
        Assert.IsNull(SeccompFilter.Errno(policy, "socket", AfNetlink, raw | cloexec, NetlinkRoute), "getifaddrs, as os.networkInterfaces() calls it");
        Assert.IsNull(SeccompFilter.Errno(policy, "socket", AfNetlink, dgram, NetlinkRoute));
        foreach (var protocol in new ulong[] { 1, 4, 9, 12, 15, 16, 21, 22, 31, 0x1_0000_0000 })
        {
            Assert.AreEqual(Eprotonosupport, SeccompFilter.Errno(policy, "socket", AfNetlink, raw, protocol), $"netlink protocol 0x{protocol:x}");
        }
    }

    [TestMethod]
    [DynamicData(nameof(NetworkPhases))]
    public void WithNetworkInetIsStreamOrDatagramOverTcpOrUdp(string network)
    {
        var policy = Seccomp(network);
        const ulong cloexec = 0x80000, nonblock = 0x800;
        foreach (var family in new[] { AfInet, AfInet6 })
        {
            foreach (var (type, protocol) in new[] { (SockStream, 0UL), (SockStream, IpprotoTcp), (SockDgram, 0UL), (SockDgram, IpprotoUdp) })
            {
                Assert.IsNull(SeccompFilter.Errno(policy, "socket", family, type | cloexec | nonblock, protocol), $"({family}, {type}, {protocol})");
            }
            for (ulong type = 0; type < 16; type++)
            {
                if (type is SockStream or SockDgram) continue;
                Assert.AreEqual(Esocktnosupport, SeccompFilter.Errno(policy, "socket", family, type | cloexec, 0), $"({family}, type {type})");
            }
            for (ulong protocol = 0; protocol < 300; protocol++)
            {
                var allowed = protocol is IpprotoDefault or IpprotoTcp or IpprotoUdp;
                Assert.AreEqual(allowed ? null : Eprotonosupport, SeccompFilter.Errno(policy, "socket", family, SockStream, protocol), $"({family}, protocol {protocol})");
            }
            Assert.AreEqual(Eprotonosupport, SeccompFilter.Errno(policy, "socket", family, SockDgram, 0x1_0000_0011), "high bits do not hide a protocol");
            Assert.IsTrue(SeccompFilter.Denies(policy, "socket", family, SockRaw, 1), "raw ICMP, by type and by protocol");
        }
        Assert.IsTrue(SeccompFilter.Denies(policy, "socket", AfInet, 5, 132), "SCTP (SOCK_SEQPACKET)");
        Assert.IsTrue(SeccompFilter.Denies(policy, "socket", AfInet6, 6, 33), "DCCP (SOCK_DCCP)");
        Assert.IsTrue(SeccompFilter.Denies(policy, "socket", AfInet, SockPacket, 0x300), "SOCK_PACKET, the kernel's alias of AF_PACKET");
        Assert.AreEqual(Eafnosupport, SeccompFilter.Errno(policy, "socket", 0x1_0000_0002, SockStream, 0), "high bits do not hide the family");
    }

    [TestMethod]
    [DynamicData(nameof(Networks))]
    public void SocketPairsAreUnixOnly(string network)
    {
        var policy = Seccomp(network);
        Assert.IsFalse(SeccompFilter.Denies(policy, "socketpair", AfUnix, 1, 0, 0));
        Assert.IsTrue(SeccompFilter.Denies(policy, "socketpair", 2, 1, 0, 0));
        Assert.IsTrue(SeccompFilter.Denies(policy, "socketpair", 30, 1, 0, 0));
    }

    [TestMethod]
    [DynamicData(nameof(Networks))]
    public void EveryRuleSaysWhyAndIsOneLibseccompRule(string network)
    {
        var policy = Seccomp(network);
        Assert.AreEqual(Eperm, policy.DenyErrno);
        foreach (var rule in policy.Rules)
        {
            Assert.IsFalse(string.IsNullOrWhiteSpace(rule.Reason), rule.Syscall);
            // libseccomp refuses a rule that compares one argument twice.
            Assert.AreEqual(rule.When.Select(c => c.Arg).Distinct().Count(), rule.When.Count, $"{rule.Syscall}: {rule.Reason}");
            foreach (var condition in rule.When)
            {
                Assert.Contains(condition.Op, new[] { "eq", "ne", "ge", "lt", "masked_eq" });
                Assert.IsTrue(condition.Arg is >= 0 and < 6);
                if (condition.Op == "masked_eq")
                {
                    Assert.AreNotEqual(0UL, condition.Mask, rule.Syscall);
                    Assert.AreEqual(condition.Value, condition.Value & condition.Mask, $"{rule.Syscall}: a value outside its mask never matches");
                }
            }
        }
        CollectionAssert.AreEqual(policy.Rules.Select(r => r.Syscall).Order(StringComparer.Ordinal).ToList(), policy.Rules.Select(r => r.Syscall).ToList(), "sorted by syscall");
    }

    [TestMethod]
    public void NetworkNamespaceIsUnsharedUnlessFull()
    {
        string[] always = ["cgroup", "ipc", "pid", "user", "uts"];
        CollectionAssert.AreEqual(new[] { "cgroup", "ipc", "net", "pid", "user", "uts" }, Spec("api", "start").UnshareNamespaces);
        CollectionAssert.AreEqual(new[] { "cgroup", "ipc", "net", "pid", "user", "uts" }, Spec("api", "prepare").UnshareNamespaces);
        CollectionAssert.AreEqual(always, Spec("web", "hydrate").UnshareNamespaces);
    }

    [TestMethod]
    public void ResolverFilesOnlyWithNetwork()
    {
        string[] resolver = ["/etc/hosts", "/etc/nsswitch.conf", "/etc/resolv.conf"];
        var start = Spec("api", "start").ReadOnlySystemPaths;
        foreach (var path in resolver)
        {
            Assert.DoesNotContain(path, start);
            Assert.Contains(path, Spec("api", "prepare").ReadOnlySystemPaths);
            Assert.Contains(path, Spec("web", "hydrate").ReadOnlySystemPaths);
        }
    }

    [TestMethod]
    public void SystemPathsAreTheMinimalReadOnlySet()
    {
        CollectionAssert.AreEqual(
            new[]
            {
                "/bin", "/etc/alternatives", "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime",
                "/etc/ssl/certs", "/lib", "/lib32", "/lib64", "/sbin", "/usr",
            },
            Spec("api", "start").ReadOnlySystemPaths);
        foreach (var path in Spec("web", "hydrate").ReadOnlySystemPaths)
        {
            Assert.IsFalse(path is "/" or "/etc" or "/etc/ssl" or "/etc/passwd" or "/etc/group" or "/home" or "/root" or "/proc" or "/sys" or "/run" or "/var" or "/tmp"
                || path.Contains("shadow") || path.Contains("private"), path);
        }
    }

    [TestMethod]
    public void EnvironmentIsMinimalAndPointsInsideTheRoot()
    {
        var spec = Spec("api", "start");
        CollectionAssert.AreEquivalent(new[] { "BUN_INSTALL_CACHE_DIR", "HOME", "LANG", "PATH", "TMPDIR" }, spec.Environment.Keys.ToArray());
        Assert.AreEqual(TodoKit.ApiRoot + "/.capakit/home", spec.Environment["HOME"]);
        Assert.AreEqual(TodoKit.ApiRoot + "/.capakit/bun-cache", spec.Environment["BUN_INSTALL_CACHE_DIR"]);
        Assert.IsTrue(spec.Environment["HOME"].StartsWith(spec.Root + "/", StringComparison.Ordinal));
        Assert.AreEqual("/tmp", spec.Environment["TMPDIR"]);
        Assert.AreEqual("C.UTF-8", spec.Environment["LANG"]);
        Assert.AreEqual("/usr/local/bin:/usr/bin:/bin", spec.Environment["PATH"]);

        var host = new[] { Environment.GetEnvironmentVariable("HOME"), Environment.CurrentDirectory, "/home/", "/root", "/Users/" }
            .Where(s => !string.IsNullOrEmpty(s) && s != "/")
            .ToList();
        foreach (var (name, value) in spec.Environment)
        {
            foreach (var hostThing in host)
            {
                Assert.DoesNotContain(hostThing!, value, $"{name}={value} leaks host '{hostThing}'");
            }
        }
    }

    [TestMethod]
    public void EnvFromOptionsComesFromThePhase()
    {
        Assert.AreEqual("title", Spec("web", "start").EnvFromOptions["TODO_TITLE"]);
        Assert.IsEmpty(Spec("web", "prepare").EnvFromOptions);
        Assert.IsEmpty(Spec("api", "start").EnvFromOptions);
    }

    [TestMethod]
    public void EgressAllowlistOnlyForRegistryNetwork()
    {
        CollectionAssert.AreEqual(new[] { "registry.npmjs.org" }, Spec("api", "prepare").EgressAllowlist);
        Assert.IsEmpty(Spec("api", "start").EgressAllowlist);
        Assert.IsEmpty(Spec("web", "hydrate").EgressAllowlist);
    }

    [TestMethod]
    public void EgressAllowlistIsThePhasesRegistries()
    {
        var kit = TodoKit.Build();
        var api = kit.Workloads["api"];
        api.Phases["prepare"] = api.Phases["prepare"] with { Registries = ["npm.pkg.github.com", "*.mirror.example.com"] };

        var spec = LinuxSandboxSpecWriter.Write(kit, api, "prepare");

        CollectionAssert.AreEqual(new[] { "npm.pkg.github.com", "*.mirror.example.com" }, spec.EgressAllowlist);
    }

    [TestMethod]
    public void LimitsAreSet()
    {
        var start = Spec("api", "start");
        Assert.AreEqual(512, start.Limits.MaxProcesses);
        Assert.AreEqual(512, start.Limits.PidsMax);
        Assert.AreEqual(4096, start.Limits.MaxOpenFiles);
        Assert.AreEqual(0, start.Limits.MaxCoreBytes);
        Assert.AreEqual(2048 * MiB, start.Limits.MemoryMaxBytes);
        Assert.AreEqual(256 * MiB, start.TmpSizeBytes);

        var prepare = Spec("api", "prepare");
        Assert.AreEqual(1024, prepare.Limits.MaxProcesses);
        Assert.AreEqual(1024, prepare.Limits.PidsMax);
        Assert.AreEqual(1024 * MiB, prepare.TmpSizeBytes);
        Assert.AreEqual(256 * MiB, Spec("web", "hydrate").TmpSizeBytes);
    }

    [TestMethod]
    public void TimeoutComesFromThePhaseWithDefaultsPerPhase()
    {
        Assert.AreEqual(600, Spec("api", "prepare").TimeoutSeconds);
        Assert.AreEqual(600, Spec("web", "hydrate").TimeoutSeconds);
        Assert.AreEqual(0, Spec("api", "start").TimeoutSeconds, "a started workload runs until stopped");

        var kit = TodoKit.Build();
        var api = kit.Workloads["api"];
        var slow = api with { Phases = new(StringComparer.Ordinal) { ["prepare"] = api.Phases["prepare"] with { TimeoutSeconds = 1800 } } };
        Assert.AreEqual(1800, LinuxSandboxSpecWriter.Write(kit, slow, "prepare").TimeoutSeconds);
    }

    [TestMethod]
    public void UnknownPhaseNetworkOrAccessIsRefused()
    {
        var kit = TodoKit.Build();
        Assert.ThrowsExactly<ArgumentException>(() => LinuxSandboxSpecWriter.Write(kit, kit.Workloads["api"], "hydrate"));
        var api = kit.Workloads["api"];
        var oddNetwork = api with { Phases = new(StringComparer.Ordinal) { ["start"] = api.Phases["start"] with { Network = "loopback" } } };
        Assert.ThrowsExactly<ArgumentException>(() => LinuxSandboxSpecWriter.Write(kit, oddNetwork, "start"));
        var oddAccess = api with { Mounts = [new WorkloadMountModel { Mount = "data", Access = "rw" }] };
        Assert.ThrowsExactly<ArgumentException>(() => LinuxSandboxSpecWriter.Write(kit, oddAccess, "start"));
    }

    [TestMethod]
    public void SerializedSpecIsDeterministicAndReadsBack()
    {
        var json = BundleFormat.Serialize(Spec("api", "start"));
        Assert.AreEqual(json, BundleFormat.Serialize(Spec("api", "start")));
        var path = Path.Combine(Path.GetTempPath(), $"capakit-spec-{Guid.NewGuid():N}.json");
        try
        {
            File.WriteAllText(path, json);
            var back = BundleFormat.ReadLinuxSpec(path);
            Assert.AreEqual(json, BundleFormat.Serialize(back));
            Assert.AreEqual(Enosys, back.Seccomp.Rules.Single(r => r.Syscall == "clone3").Errno);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
