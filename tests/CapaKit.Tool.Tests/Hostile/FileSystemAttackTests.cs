using CapaKit.Tool.Tests.Support;
using static CapaKit.Tool.Tests.Hostile.HostileKit;

namespace CapaKit.Tool.Tests.Hostile;

/// <summary>
/// A hostile workload goes for host files: reads, writes, links and device nodes outside its root, the Kit's own
/// folders, the other workload. Each test names the guard that stops it; the host side is checked after the run.
/// </summary>
[TestClass]
public sealed class FileSystemAttackTests
{
    [ClassInitialize]
    public static void BuildKits(TestContext _)
    {
        For(RunAs.Root);
        For(RunAs.User);
    }

    // Guard: the empty root (bind layout): the host's home is not bound, so the key's path does not exist inside.
    [TestMethod]
    [DynamicData(nameof(EveryPhase), typeof(HostileKit))]
    public void ReadTheHostUsersSshKey(RunAs who, string phase)
    {
        var kit = For(who);
        Assert.IsTrue(File.Exists(kit.SshKey));
        var verdict = kit.AttackIn(phase, BunScript("read-host-file.ts", kit.SshKey, Path.GetDirectoryName(kit.SshKey)!, kit.FakeHome));
        StringAssert.Contains(verdict, "ENOENT");
    }

    // Guard: bind layout: /root is not bound (the sandbox HOME is inside the workload root).
    [TestMethod]
    [DynamicData(nameof(EveryPhase), typeof(HostileKit))]
    public void ReadRootsHome(RunAs who, string phase)
    {
        Assert.IsTrue(Directory.Exists("/root"), "the host has a /root to go for");
        var verdict = For(who).AttackIn(phase, BunScript("read-host-file.ts", "/root/.ssh/id_rsa", "/root/.bash_history", "/root"));
        StringAssert.Contains(verdict, "/root: ENOENT");
    }

    // Guard: bind layout: of /etc only what tools need is bound (see SeeOnlyWhatTheSandboxNeedsOfEtc).
    // (As root the caller could read /etc/shadow on the host.)
    [TestMethod]
    [DynamicData(nameof(EveryPhase), typeof(HostileKit))]
    public void ReadEtcShadow(RunAs who, string phase)
    {
        var result = For(who).ExecIn(phase, BunScript("read-host-file.ts", "/etc/shadow", "/etc/gshadow"));
        StringAssert.Contains(For(who).AssertBlocked(result, phase), "/etc/shadow: ENOENT");
        if (File.Exists("/etc/shadow"))
        {
            var rootEntry = File.ReadLines("/etc/shadow").First(l => l.StartsWith("root:", StringComparison.Ordinal));
            Assert.DoesNotContain(string.Join(':', rootEntry.Split(':').Take(2)) + ":", result.All);
        }
    }

    // Guards: bind layout: of /etc only the CA certificates (with what their links point to), the loader's and time
    // zone files and, with network, the resolver's files are bound; /etc/passwd and /etc/group are the runtime's own,
    // naming the sandbox user (home = its HOME), root and nobody. The host's list every account, and a sandbox started
    // by root could read /etc/ssl/private (host root owns it, and host root is the sandbox user there).
    [TestMethod]
    [DynamicData(nameof(EveryPhase), typeof(HostileKit))]
    public void SeeOnlyWhatTheSandboxNeedsOfEtc(RunAs who, string phase)
    {
        var kit = For(who);
        Assert.IsTrue(Directory.Exists("/etc/ssl/private"), "the host has a TLS keys folder to go for");
        Assert.IsTrue(File.ReadLines("/etc/passwd").Any(l => l.StartsWith(TestMachine.UserName + ":", StringComparison.Ordinal)), "the host lists more accounts");

        var verdict = kit.AttackIn(phase, BunScript("read-etc.ts"));

        StringAssert.Contains(verdict, "/etc/ssl/private: ENOENT");
        string[] resolver = phase == Start ? [] : ["hosts", "nsswitch.conf", "resolv.conf"];
        string[] bound = ["alternatives", "group", "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "passwd", "ssl", .. resolver];
        CollectionAssert.IsSubsetOf(Field(verdict, "etc").Split(','), bound, verdict);
        Assert.AreEqual("root,capakit,nobody", Field(verdict, "passwd"), verdict);
        Assert.AreEqual("root,capakit,nogroup", Field(verdict, "group"), verdict);
        Assert.AreEqual($"capakit 1000:1000 home {kit.AttackerRoot}/.capakit/home", Field(verdict, "me"), verdict);

        // Every CA certificate link works inside as on the host.
        var host = new DirectoryInfo("/etc/ssl/certs").GetFileSystemInfos();
        var links = host.Where(f => f.LinkTarget is not null).ToList();
        var hostDangling = links.Count(f => f.ResolveLinkTarget(returnFinalTarget: true) is not { Exists: true });
        Assert.AreEqual($"{host.Length - links.Count} files, {links.Count} links, {hostDangling} dangling", Field(verdict, "certs"), verdict);
    }

    /// <summary>The value after "<paramref name="name"/>: " in a verdict's "; "-separated parts.</summary>
    private static string Field(string verdict, string name) =>
        verdict["BLOCKED ".Length..].Split("; ").Single(p => p.StartsWith(name + ": ", StringComparison.Ordinal))[(name.Length + 2)..];

    // Guard: bind layout: the host folder (writable by the caller) is not bound; / is read-only, so not even a
    // look-alike folder can be made inside.
    [TestMethod]
    [DynamicData(nameof(EveryPhase), typeof(HostileKit))]
    public void WriteOutsideTheRoot(RunAs who, string phase)
    {
        var kit = For(who);
        var marker = Guid.NewGuid().ToString("N");
        // (Not the Kit folder: in this suite it is under /tmp, where a look-alike path lands in the sandbox's own tmpfs.)
        var targets = new[] { Path.Combine(kit.Outside, $"pwned-{marker}"), $"/pwned-{marker}" };
        kit.AttackIn(phase, BunScript("write-host-file.ts", targets));
        foreach (var target in targets)
        {
            Assert.IsFalse(File.Exists(target), $"{target} was created on the host");
        }
    }

    // Guard: bind layout: a symlink is resolved inside the sandbox's mount namespace, where its target does not exist.
    [TestMethod]
    [DataRow(RunAs.Root)]
    [DataRow(RunAs.User)]
    public void ReadAndWriteThroughASymlinkOutOfTheRoot(RunAs who)
    {
        var kit = For(who);
        var created = $"via-link-{Guid.NewGuid():N}";
        var verdict = kit.Attack(BunScript("symlink-out.ts", kit.Outside, "secret.txt", created));
        StringAssert.Contains(verdict, "read ENOENT");
        Assert.IsFalse(File.Exists(Path.Combine(kit.Outside, created)), "a file was written through the symlink");
        Assert.AreEqual(kit.OutsideSecret + "\n", File.ReadAllText(Path.Combine(kit.Outside, "secret.txt")));
    }

    // Guard: bind layout (the host file is not visible: ENOENT) and mount boundaries (a visible read-only system
    // file lives on another mount: EXDEV), so no writable alias of a host file can appear in the root.
    [TestMethod]
    [DataRow(RunAs.Root)]
    [DataRow(RunAs.User)]
    public void HardLinkAHostFile(RunAs who)
    {
        var kit = For(who);
        var verdict = kit.Attack(BunScript("hardlink.ts", Path.Combine(kit.Outside, "secret.txt")));
        StringAssert.Contains(verdict, "/etc/passwd: EXDEV");
        Assert.IsEmpty(Directory.GetFiles(kit.AttackerRoot, "hl-*"), "a hard link appeared in the workload root");
    }

    // Guard: seccomp (mknod/mknodat of character and block devices -> EPERM); below it, no CAP_MKNOD outside the
    // user namespace, and the root is mounted nodev.
    [TestMethod]
    [DynamicData(nameof(EveryPhase), typeof(HostileKit))]
    public void CreateDeviceNodes(RunAs who, string phase)
    {
        var kit = For(who);
        var verdict = kit.AttackIn(phase, BunScript("mknod.ts"));
        StringAssert.Contains(verdict, "mem: EPERM");
        Assert.IsEmpty(Directory.GetFiles(kit.AttackerRoot, "mem-*").Concat(Directory.GetFiles(kit.AttackerRoot, "sda-*")));
    }

    // Guard: bind layout: only the workload's root is bound, not the Kit folder with bin/ (the CA and workload
    // keys), obj/ and capability.yml, nor the other workload's root. The relative path climbs out of the root.
    [TestMethod]
    [DynamicData(nameof(EveryPhase), typeof(HostileKit))]
    public void ReadTheKitsCertificatesAndBuildFolders(RunAs who, string phase)
    {
        var kit = For(who);
        var caKey = Directory.GetFiles(Path.Combine(kit.Kit.Directory, "bin"), "ca.key", SearchOption.AllDirectories).Single();
        var attackerKey = Path.Combine(Path.GetDirectoryName(caKey)!, "attacker.key");
        Assert.IsTrue(File.Exists(attackerKey));
        var result = kit.ExecIn(phase, BunScript("read-host-file.ts", caKey, attackerKey, Path.GetDirectoryName(caKey)!,
            Path.Combine(kit.Kit.Directory, "obj", "project.assets.json"), Path.Combine(kit.Kit.Directory, "bin"), Path.Combine(kit.Kit.Directory, "obj"),
            "../../bin", "../../obj"));
        kit.AssertBlocked(result, phase);
        Assert.DoesNotContain("PRIVATE KEY", result.All);
    }

    // Guard: bind layout: the other workload's root is a sibling folder on the host, never bound here.
    [TestMethod]
    [DynamicData(nameof(EveryPhase), typeof(HostileKit))]
    public void ReadAnotherWorkloadsRoot(RunAs who, string phase)
    {
        var kit = For(who);
        Assert.IsTrue(File.Exists(Path.Combine(kit.VictimRoot, "secret.txt")));
        var verdict = kit.AttackIn(phase, BunScript("read-host-file.ts", Path.Combine(kit.VictimRoot, "secret.txt"), kit.VictimRoot, "../victim/secret.txt"));
        StringAssert.Contains(verdict, "ENOENT");
    }

    // Guard: bind layout: capability.yml sits in the Kit folder, above the workload root.
    [TestMethod]
    [DataRow(RunAs.Root)]
    [DataRow(RunAs.User)]
    public void ReadTheKitManifest(RunAs who)
    {
        var kit = For(who);
        var result = kit.Exec(BunScript("read-host-file.ts", Path.Combine(kit.Kit.Directory, "capability.yml"), "../../capability.yml", kit.Kit.ProjectFile));
        kit.AssertBlocked(result);
        Assert.DoesNotContain("mount_mid", result.All);
    }

    // Guard: the mount's access: a read_only mount is bound with --ro-bind (EROFS), though the host folder is the
    // caller's own and writable on the host.
    [TestMethod]
    [DataRow(RunAs.Root)]
    [DataRow(RunAs.User)]
    public void WriteAReadOnlyMount(RunAs who)
    {
        var kit = For(who);
        var verdict = kit.Attack(BunScript("read-only-mount.ts", kit.Shared, "readme.txt"));
        StringAssert.Contains(verdict, "read \"reference\"", "reading the read-only mount must work");
        StringAssert.Contains(verdict, "create EROFS");
        Assert.AreEqual("reference\n", File.ReadAllText(Path.Combine(kit.Shared, "readme.txt")));
        Assert.IsEmpty(Directory.GetFiles(kit.Shared, "created-*"));
    }

    // Guard: seccomp (chmod, fchmod, fchmodat, fchmodat2 with S_ISUID or S_ISGID -> EPERM). The root is a host
    // folder, and a sandbox started by root writes there as root: without the rule a setuid-root program would be
    // left for any host user to run. (Writing a file clears the bits, since nothing inside has CAP_FSETID.)
    [TestMethod]
    [DynamicData(nameof(EveryPhase), typeof(HostileKit))]
    public void PlantASetuidProgramInTheRoot(RunAs who, string phase)
    {
        var kit = For(who);
        var marker = Guid.NewGuid().ToString("N")[..12];
        try
        {
            var verdict = kit.AttackIn(phase, BunScript("setuid-bit.ts", marker));
            StringAssert.Contains(verdict, "chmod 4755: EPERM");
            var planted = Directory.GetFiles(kit.AttackerRoot, $"setid-{marker}-*");
            Assert.HasCount(3, planted, "the attack must have made its three copies");
            foreach (var file in planted)
            {
                var mode = File.GetUnixFileMode(file);
                Assert.AreEqual(UnixFileMode.None, mode & (UnixFileMode.SetUser | UnixFileMode.SetGroup), $"{file} is {mode} on the host");
            }
        }
        finally
        {
            foreach (var file in Directory.GetFiles(kit.AttackerRoot, $"setid-{marker}-*"))
            {
                File.Delete(file);
            }
        }
    }

    // Guard: the launcher marks descriptors the tool inherited from its caller close-on-exec before it starts
    // bwrap (bwrap passes on whatever it gets). A folder descriptor leaked by a careless caller (here: a shell's
    // `exec 7< folder`) would otherwise be a way out of the root: openat(fd, "..").
    [TestMethod]
    [DataRow(RunAs.Root)]
    [DataRow(RunAs.User)]
    public void UseADescriptorTheCallerLeaked(RunAs who)
    {
        var kit = For(who);
        using var tool = new BackgroundTool(who, kit.Kit.Directory, kit.ExecArguments(BunScript("inherited-fds.ts")), kit.ToolEnvironment, leakFolder: kit.Outside);
        Assert.IsTrue(tool.WaitForExit(TimeSpan.FromSeconds(60)), $"the tool did not finish: {tool.Output}");
        var result = new ToolResult(tool.Process.ExitCode, tool.Output, "");
        kit.AssertBlocked(result);
        Assert.DoesNotContain("secret.txt", result.All);
    }
}
