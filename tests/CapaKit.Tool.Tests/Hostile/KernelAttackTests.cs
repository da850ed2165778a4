using CapaKit.Tool.Tests.Support;
using static CapaKit.Tool.Tests.Hostile.HostileKit;

namespace CapaKit.Tool.Tests.Hostile;

/// <summary>
/// A hostile workload goes for the kernel's wider surface: mounts, namespaces, keyrings, BPF, perf, userfaultfd,
/// personality, /proc/sys, /sys, /dev, in every phase (no network, registry network, full network). Several act on
/// whatever machine they run on: they run only in the sandbox. Where a capability check refuses a call with the same
/// EPERM as its seccomp rule, Seccomp/KernelCallRuleTests shows the rule alone refusing it (bpf, perf_event_open,
/// mount, pivot_root, chroot).
/// </summary>
[TestClass]
public sealed class KernelAttackTests
{
    [ClassInitialize]
    public static void BuildKits(TestContext _)
    {
        For(RunAs.Root);
        For(RunAs.User);
    }

    // Guards: seccomp (mount, umount2 -> EPERM) and --cap-drop ALL (CAP_SYS_ADMIN).
    [TestMethod]
    [DynamicData(nameof(EveryPhase), typeof(HostileKit))]
    public void Mount(RunAs who, string phase)
    {
        StringAssert.Contains(For(who).AttackIn(phase, BunScript("mount.ts")), "remount /usr read-write: EPERM");
    }

    // Guards: seccomp (fsopen, open_tree and the rest of the new mount API -> EPERM) and --cap-drop ALL.
    [TestMethod]
    [DynamicData(nameof(EveryPhase), typeof(HostileKit))]
    public void MountThroughTheNewMountApi(RunAs who, string phase)
    {
        StringAssert.Contains(For(who).AttackIn(phase, BunScript("mount-new-api.ts")), "fsopen(tmpfs): EPERM");
    }

    // Guards: seccomp (unshare -> EPERM) and bwrap's --disable-userns (no nested user namespace).
    [TestMethod]
    [DynamicData(nameof(EveryPhase), typeof(HostileKit))]
    public void UnshareNamespaces(RunAs who, string phase)
    {
        StringAssert.Contains(For(who).AttackIn(phase, ShScript("unshare.sh")), "unshare --user --map-root-user id -u: unshare: unshare failed");
    }

    // Guards: seccomp (setns -> EPERM) and the pid namespace (no host namespace file is visible to open).
    [TestMethod]
    [DynamicData(nameof(EveryPhase), typeof(HostileKit))]
    public void EnterNamespaces(RunAs who, string phase)
    {
        StringAssert.Contains(For(who).AttackIn(phase, BunScript("setns.ts")), "mnt: EPERM");
    }

    // Guards: seccomp (clone with CLONE_NEWUSER -> EPERM; clone3, whose flags it cannot read -> ENOSYS) and
    // --disable-userns.
    [TestMethod]
    [DynamicData(nameof(EveryPhase), typeof(HostileKit))]
    public void CloneIntoANewUserNamespace(RunAs who, string phase)
    {
        var verdict = For(who).AttackIn(phase, BunScript("clone-newuser.ts"));
        StringAssert.Contains(verdict, "clone(CLONE_NEWUSER): EPERM");
        StringAssert.Contains(verdict, "clone3(CLONE_NEWUSER): ENOSYS");
    }

    // Guards: seccomp (pivot_root -> EPERM) and --cap-drop ALL.
    [TestMethod]
    [DynamicData(nameof(EveryPhase), typeof(HostileKit))]
    public void PivotRoot(RunAs who, string phase)
    {
        StringAssert.Contains(For(who).AttackIn(phase, BunScript("pivot-root.ts")), "EPERM");
    }

    // Guards: seccomp (chroot -> EPERM) and --cap-drop ALL (CAP_SYS_CHROOT).
    [TestMethod]
    [DynamicData(nameof(EveryPhase), typeof(HostileKit))]
    public void Chroot(RunAs who, string phase)
    {
        StringAssert.Contains(For(who).AttackIn(phase, BunScript("chroot.ts")), "EPERM");
    }

    // Guard: seccomp (keyctl, add_key, request_key -> EPERM). Keyrings are per host uid, not namespaced: the
    // user keyring a root-started sandbox would reach is root's.
    [TestMethod]
    [DynamicData(nameof(EveryPhase), typeof(HostileKit))]
    public void ReachKernelKeyrings(RunAs who, string phase)
    {
        StringAssert.Contains(For(who).AttackIn(phase, BunScript("keyctl.ts")), "keyctl(GET_KEYRING_ID, user keyring): EPERM");
    }

    // Guard: seccomp (bpf -> EPERM); below it, kernel.unprivileged_bpf_disabled where the host sets it.
    [TestMethod]
    [DynamicData(nameof(EveryPhase), typeof(HostileKit))]
    public void LoadBpf(RunAs who, string phase)
    {
        StringAssert.Contains(For(who).AttackIn(phase, BunScript("bpf.ts")), "EPERM");
    }

    // Guard: seccomp (perf_event_open -> EPERM). perf_event_paranoid=2 would still allow this self-monitoring event.
    [TestMethod]
    [DynamicData(nameof(EveryPhase), typeof(HostileKit))]
    public void OpenPerfEvents(RunAs who, string phase)
    {
        StringAssert.Contains(For(who).AttackIn(phase, BunScript("perf-event-open.ts")), "EPERM");
    }

    // Guard: seccomp (userfaultfd -> EPERM). vm.unprivileged_userfaultfd=0 would still allow user-mode-only faults.
    [TestMethod]
    [DynamicData(nameof(EveryPhase), typeof(HostileKit))]
    public void CreateAUserfaultfd(RunAs who, string phase)
    {
        StringAssert.Contains(For(who).AttackIn(phase, BunScript("userfaultfd.ts")), "EPERM");
    }

    // Guard: seccomp (personality other than PER_LINUX, PER_LINUX32 and the query -> EPERM).
    [TestMethod]
    [DynamicData(nameof(EveryPhase), typeof(HostileKit))]
    public void TurnOffAddressSpaceRandomisation(RunAs who, string phase)
    {
        StringAssert.Contains(For(who).AttackIn(phase, BunScript("personality.ts")), "personality(ADDR_NO_RANDOMIZE): EPERM");
    }

    // Guard: /proc remounted read-only (--remount-ro /proc). bwrap's own cover of /proc/sys checks access(W_OK)
    // on the folder, which is never writable, so it leaves /proc/sys as it is: a sandbox started by root (host
    // uid 0 inside) could then set host sysctls, core_pattern (a host-root code path) among them. For the
    // ordinary user the sysctl files' owner check stops it as well.
    [TestMethod]
    [DynamicData(nameof(EveryPhase), typeof(HostileKit))]
    public void WriteHostKernelSettings(RunAs who, string phase)
    {
        const string knob = "/proc/sys/kernel/printk_ratelimit";
        var before = File.ReadAllText(knob);
        var verdict = For(who).AttackIn(phase, BunScript("proc-sys.ts"));
        StringAssert.Contains(verdict, who == RunAs.Root ? "printk_ratelimit: EROFS" : "printk_ratelimit: EACCES");
        Assert.AreEqual(before, File.ReadAllText(knob));
    }

    // Guard: bind layout: /sys is not mounted at all.
    [TestMethod]
    [DynamicData(nameof(EveryPhase), typeof(HostileKit))]
    public void WriteSysfs(RunAs who, string phase)
    {
        StringAssert.Contains(For(who).AttackIn(phase, BunScript("sysfs.ts")), "/sys absent");
    }

    // Guard: bwrap's --dev: a fresh /dev with null, zero, full, random, urandom and tty only (plus pts and symlinks).
    [TestMethod]
    [DynamicData(nameof(EveryPhase), typeof(HostileKit))]
    public void FindDevicesInDev(RunAs who, string phase)
    {
        StringAssert.Contains(For(who).AttackIn(phase, BunScript("dev-nodes.ts")), "full,null,random,tty,urandom,zero");
    }
}
