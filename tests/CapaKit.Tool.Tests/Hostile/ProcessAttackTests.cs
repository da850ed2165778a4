using System.Text.RegularExpressions;
using CapaKit.Tool.Tests.Support;
using static CapaKit.Tool.Tests.Hostile.HostileKit;

namespace CapaKit.Tool.Tests.Hostile;

/// <summary>
/// A hostile workload goes for other processes and for privilege: the host's processes and their environment,
/// siblings' memory, setuid programs, capabilities, the terminal. Each test names the guard that stops it.
/// </summary>
[TestClass]
public sealed class ProcessAttackTests
{
    [ClassInitialize]
    public static void BuildKits(TestContext _)
    {
        For(RunAs.Root);
        For(RunAs.User);
    }

    // Guard: the pid namespace with a private /proc: pid 1 is bubblewrap's init, which got none of the tool's
    // variables (the launcher starts it with PATH and LANG only).
    [TestMethod]
    [DataRow(RunAs.Root)]
    [DataRow(RunAs.User)]
    public void ReadInitsEnvironment(RunAs who)
    {
        var verdict = For(who).Attack(BunScript("proc1-environ.ts"));
        StringAssert.Contains(verdict, "bwrap");
    }

    // Guard: the pid namespace: the test's own host pid names no process in the sandbox's /proc.
    [TestMethod]
    [DataRow(RunAs.Root)]
    [DataRow(RunAs.User)]
    public void ReadTheHostProcessCommandLine(RunAs who)
    {
        var kit = For(who);
        var pid = Environment.ProcessId;
        var hostCommandLine = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0')[0];
        var result = kit.Exec(BunScript("host-pid.ts", pid.ToString()));
        StringAssert.Contains(kit.AssertBlocked(result), "ENOENT");
        Assert.DoesNotContain(hostCommandLine, result.StandardOutput);
    }

    // Guard: the pid namespace: /proc lists only bubblewrap's init and the command.
    [TestMethod]
    [DataRow(RunAs.Root)]
    [DataRow(RunAs.User)]
    public void SeeHostProcesses(RunAs who)
    {
        var verdict = For(who).Attack(BunScript("process-list.ts"));
        var seen = int.Parse(Regex.Match(verdict, @"sees (\d+) processes").Groups[1].Value);
        Assert.IsLessThanOrEqualTo(3, seen, verdict);
        Assert.IsGreaterThan(seen + 5, HostProcesses.Count(), "the host runs more processes than the sandbox saw");
    }

    // Guard: --clearenv (the sandbox's environment is the contract only), and the pid namespace (no host
    // process's environ or cmdline is visible). The secret is in the tool's own environment.
    [TestMethod]
    [DataRow(RunAs.Root)]
    [DataRow(RunAs.User)]
    public void ReadTheHostEnvironment(RunAs who)
    {
        var verdict = For(who).Attack(BunScript("host-env.ts"));
        StringAssert.Contains(verdict, "/proc/self/environ");
    }

    // Guard: the pid namespace: the host pid is not a process the sandbox can name (ESRCH). The sleep belongs to
    // the identity, so the kernel's own permission check would allow the kill.
    [TestMethod]
    [DataRow(RunAs.Root)]
    [DataRow(RunAs.User)]
    public void KillAHostProcess(RunAs who)
    {
        using var sleep = HostProcesses.StartSleep(who);
        try
        {
            var verdict = For(who).Attack(BunScript("kill-host.ts", sleep.Id.ToString()));
            StringAssert.Contains(verdict, "ESRCH");
            Assert.IsFalse(sleep.HasExited, "the host process was killed from inside");
        }
        finally
        {
            sleep.Kill();
        }
    }

    // Guard: seccomp (ptrace -> EPERM). The child is the attacker's own (same uid), so nothing else stops it.
    [TestMethod]
    [DynamicData(nameof(EveryPhase), typeof(HostileKit))]
    public void PtraceASibling(RunAs who, string phase)
    {
        StringAssert.Contains(For(who).AttackIn(phase, BunScript("ptrace-sibling.ts")), "EPERM");
    }

    // Guard: seccomp (process_vm_readv -> EPERM).
    [TestMethod]
    [DynamicData(nameof(EveryPhase), typeof(HostileKit))]
    public void ReadASiblingsMemory(RunAs who, string phase)
    {
        StringAssert.Contains(For(who).AttackIn(phase, BunScript("process-vm-readv.ts")), "EPERM");
    }

    // Guard: /proc is remounted read-only (--remount-ro /proc): /proc/<pid>/mem cannot be opened for writing,
    // which the ptrace rule does not cover. (Reading it stays possible for the sandbox's own processes.)
    [TestMethod]
    [DataRow(RunAs.Root)]
    [DataRow(RunAs.User)]
    public void WriteASiblingsMemoryThroughProc(RunAs who)
    {
        StringAssert.Contains(For(who).Attack(BunScript("proc-mem-write.ts")), "EROFS");
    }

    // Guards: no_new_privs (setuid bits are ignored on exec), the nosuid bind of the root, and the user namespace
    // (host root is not mapped inside). The test plants a setuid-root copy of id(1) in the root, which would give
    // euid 0 to the identity on the host.
    [TestMethod]
    [DataRow(RunAs.Root)]
    [DataRow(RunAs.User)]
    public void BecomeRootThroughSetuidPrograms(RunAs who)
    {
        var kit = For(who);
        var planted = Path.Combine(kit.AttackerRoot, "suid-id");
        File.Copy("/usr/bin/id", planted, overwrite: true);
        File.SetUnixFileMode(planted, UnixFileMode.SetUser | UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        try
        {
            var verdict = kit.Attack(ShScript("setuid.sh"));
            StringAssert.Contains(verdict, "./suid-id -u: ");
            Assert.AreEqual(UnixFileMode.SetUser, File.GetUnixFileMode(planted) & UnixFileMode.SetUser, "the planted program must still be setuid, or the attempt proved nothing");
        }
        finally
        {
            File.Delete(planted);
        }
    }

    // Guard: --cap-drop ALL in the user namespace, and no_new_privs set by the seccomp loading (Seccomp 2 = filter).
    [TestMethod]
    [DynamicData(nameof(EveryPhase), typeof(HostileKit))]
    public void HoldCapabilities(RunAs who, string phase)
    {
        For(who).AttackIn(phase, BunScript("capabilities.ts"));
    }

    // Guard: seccomp (ioctl TIOCSTI -> EPERM). On its own pty made its controlling terminal the kernel would
    // allow it (dev.tty.legacy_tiocsti=1 here); on the user's terminal --new-session keeps it from being the
    // sandbox's controlling terminal too.
    [TestMethod]
    [DataRow(RunAs.Root)]
    [DataRow(RunAs.User)]
    public void InjectKeystrokesWithTiocsti(RunAs who)
    {
        var verdict = For(who).Attack(BunScript("tiocsti.ts"));
        StringAssert.Contains(verdict, "own pty (TIOCSCTTY ok 0): EPERM", "the pty must have become the controlling terminal, or the attempt proved nothing");
    }
}
