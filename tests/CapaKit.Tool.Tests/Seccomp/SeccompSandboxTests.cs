using CapaKit.Bundle;
using CapaKit.Tool.Sandbox.Linux.Seccomp;

namespace CapaKit.Tool.Tests.Seccomp;

/// <summary>
/// Compiled filters loaded by the real bwrap into the real kernel. Each attack also runs without the filter
/// (the control), so a test fails if the rule stops blocking or if the attack never needed blocking.
/// </summary>
[TestClass]
public sealed class SeccompSandboxTests
{
    private const int Eperm = 1, Enosys = 38, Eacces = 13;

    [TestMethod]
    public void DeniedMkdir_FailsWithOperationNotPermitted()
    {
        using var filter = SeccompProgram.Compile(new SeccompPolicy { Rules = [new() { Syscall = "mkdir" }] });
        string[] command = ["/bin/mkdir", "/tmp/x"];

        var control = BwrapRunner.Run(null, command);
        var filtered = BwrapRunner.Run(filter, command);

        Assert.AreEqual(0, control.ExitCode, $"mkdir must work without the filter: {control}");
        Assert.AreNotEqual(0, filtered.ExitCode, $"mkdir must fail under the filter: {filtered}");
        StringAssert.Contains(filtered.Stderr, "Operation not permitted");
    }

    [TestMethod]
    public void SocketRule_DeniesInetButNotUnix()
    {
        using var filter = SeccompProgram.Compile(new SeccompPolicy
        {
            Rules = [new() { Syscall = "socket", When = [StartPhasePolicy.Ne(0, 1)], Reason = "no IP networking" }],
        });
        // AF_INET = 2, AF_UNIX = 1, SOCK_STREAM = 1.
        var probe = BunProbe.Command($"report({{ inet: sys({BunProbe.Socket}, 2, 1, 0), unix: sys({BunProbe.Socket}, 1, 1, 0) }});");

        var control = BunProbe.Report(BwrapRunner.Run(null, probe));
        var filtered = BunProbe.Report(BwrapRunner.Run(filter, probe));

        Assert.IsGreaterThanOrEqualTo(0, control.GetProperty("inet").GetInt32(), $"AF_INET sockets must open without the filter: {control}");
        Assert.AreEqual(-Eperm, filtered.GetProperty("inet").GetInt32(), $"{filtered}");
        Assert.IsGreaterThanOrEqualTo(0, filtered.GetProperty("unix").GetInt32(), $"AF_UNIX sockets must stay open under the filter: {filtered}");
    }

    /// <summary>
    /// glibc's mknod() calls mknodat, so both rules are in (as in the compiler's list). The rules return EACCES so
    /// the filter's answer stays distinguishable from the kernel's own EPERM where the sandbox runs in a user
    /// namespace (not root); as root the sandbox keeps CAP_MKNOD, and the control really creates the device.
    /// </summary>
    [TestMethod]
    public void MaskedEq_BlocksCharacterDevicesButNotFifos()
    {
        using var filter = SeccompProgram.Compile(new SeccompPolicy
        {
            DenyErrno = Eacces,
            Rules =
            [
                new() { Syscall = "mknod", When = [StartPhasePolicy.MaskedEq(1, 0xF000, 0x2000)] },
                new() { Syscall = "mknodat", When = [StartPhasePolicy.MaskedEq(2, 0xF000, 0x2000)] },
            ],
        });
        string[] device = ["/usr/bin/mknod", "/tmp/c", "c", "1", "3"];
        string[] fifo = ["/usr/bin/mknod", "/tmp/p", "p"];

        var control = BwrapRunner.Run(null, device, hostRoot: true);
        var filtered = BwrapRunner.Run(filter, device, hostRoot: true);
        var filteredFifo = BwrapRunner.Run(filter, fifo, hostRoot: true);

        if (Environment.IsPrivilegedProcess)
        {
            Assert.AreEqual(0, control.ExitCode, $"As root without a user namespace mknod of /dev/null's twin must work: {control}");
        }
        else
        {
            StringAssert.Contains(control.Stderr, "Operation not permitted", $"{control}");
        }
        Assert.AreNotEqual(0, filtered.ExitCode, $"{filtered}");
        StringAssert.Contains(filtered.Stderr, "Permission denied", $"The filter's EACCES must be what stopped it: {filtered}");
        Assert.AreEqual(0, filteredFifo.ExitCode, $"A FIFO is not a device and must still be created: {filteredFifo}");
    }

    [TestMethod]
    public void RuleErrno_OverridesThePolicyErrno()
    {
        using var filter = SeccompProgram.Compile(new SeccompPolicy
        {
            DenyErrno = Eperm,
            Rules = [new() { Syscall = "mkdir", Errno = Enosys }, new() { Syscall = "rmdir" }],
        });
        var probe = BunProbe.Command(
            $$"""report({ mkdir: sys({{BunProbe.Mkdir}}, cstr("/tmp/d"), 0o755), rmdir: sys({{BunProbe.Rmdir}}, cstr("/tmp/d")) });""");

        var control = BunProbe.Report(BwrapRunner.Run(null, probe));
        var filtered = BunProbe.Report(BwrapRunner.Run(filter, probe));

        Assert.AreEqual(0, control.GetProperty("mkdir").GetInt32(), $"{control}");
        Assert.AreEqual(0, control.GetProperty("rmdir").GetInt32(), $"{control}");
        Assert.AreEqual(-Enosys, filtered.GetProperty("mkdir").GetInt32(), $"{filtered}");
        Assert.AreEqual(-Eperm, filtered.GetProperty("rmdir").GetInt32(), $"{filtered}");
    }

    [TestMethod]
    public void PtraceTraceme_IsDenied()
    {
        using var filter = SeccompProgram.Compile(new SeccompPolicy { Rules = [new() { Syscall = "ptrace", Reason = "reads another process's memory" }] });
        var probe = BunProbe.Command($"report({{ traceme: sys({BunProbe.Ptrace}, 0) }});"); // PTRACE_TRACEME

        var control = BunProbe.Report(BwrapRunner.Run(null, probe, dropCapabilities: true));
        var filtered = BunProbe.Report(BwrapRunner.Run(filter, probe, dropCapabilities: true));

        Assert.AreEqual(0, control.GetProperty("traceme").GetInt32(), $"{control}");
        Assert.AreEqual(-Eperm, filtered.GetProperty("traceme").GetInt32(), $"{filtered}");
    }

    /// <summary>
    /// An i386 call through <c>int 0x80</c> is looked up in the 32-bit table, where the x86_64 rules' numbers mean
    /// other calls (and socketcall exists); the filter must kill the process instead of letting it through.
    /// </summary>
    [TestMethod]
    public void I386SyscallThroughInt80_KillsTheProcess()
    {
        using var filter = SeccompProgram.Compile(new SeccompPolicy { Rules = [new() { Syscall = "mkdir" }] });
        var probe = BunProbe.Command($"console.log('before'); report({{ pid: int80({BunProbe.I386Getpid}) }});");

        var control = BwrapRunner.Run(null, probe);
        var filtered = BwrapRunner.Run(filter, probe);

        Assert.IsGreaterThan(0, BunProbe.Report(control).GetProperty("pid").GetInt32(),
            $"This kernel must run i386 calls without the filter (IA32 emulation), or the test shows nothing: {control}");
        StringAssert.StartsWith(filtered.Stdout, "before", $"{filtered}");
        Assert.IsTrue(filtered.KilledBy(BwrapRunner.Sigsys), $"The i386 call must kill the process with SIGSYS: {filtered}");
    }

    /// <summary>An x32 number (bit 30 set) on the x86_64 entry must be killed too; without the filter the kernel answers (ENOSYS where x32 is off).</summary>
    [TestMethod]
    public void X32Syscall_KillsTheProcess()
    {
        using var filter = SeccompProgram.Compile(new SeccompPolicy { Rules = [new() { Syscall = "mkdir" }] });
        var probe = BunProbe.Command($"console.log('before'); report({{ pid: sys({BunProbe.X32Bit | BunProbe.Getpid}) }});");

        var control = BwrapRunner.Run(null, probe);
        var filtered = BwrapRunner.Run(filter, probe);

        Assert.AreEqual(0, control.ExitCode, $"{control}");
        BunProbe.Report(control);
        StringAssert.StartsWith(filtered.Stdout, "before", $"{filtered}");
        Assert.IsTrue(filtered.KilledBy(BwrapRunner.Sigsys), $"The x32 call must kill the process with SIGSYS: {filtered}");
    }

    /// <summary>
    /// The whole start-phase list (no network) under bwrap: Bun itself starts and works (threads fall back from
    /// clone3 to clone), while the attacks the list exists for are refused.
    /// </summary>
    [TestMethod]
    public void StartPhasePolicy_RunsBunAndRefusesTheAttacks()
    {
        using var filter = SeccompProgram.Compile(StartPhasePolicy.For(NetworkAccess.None));
        // personality(ADDR_NO_RANDOMIZE) turns ASLR off; 0xffffffff only queries. clone(CLONE_NEWUSER | CLONE_FS) is
        // refused by the kernel with EINVAL, so the call shows who answered without ever creating a process.
        var probe = BunProbe.Command($$"""
            const worker = await new Promise(done => {
              const w = new Worker(URL.createObjectURL(new Blob(["postMessage(6 * 7)"])));
              w.onmessage = e => { done(e.data); w.terminate(); };
            });
            report({
              worker,
              inet: sys({{BunProbe.Socket}}, 2, 1, 0),
              unix: sys({{BunProbe.Socket}}, 1, 1, 0),
              traceme: sys({{BunProbe.Ptrace}}, 0),
              noAslr: sys({{BunProbe.Personality}}, 0x0040000),
              query: sys({{BunProbe.Personality}}, 0xffffffff),
              newUser: sys(56, 0x10000200, 0, 0, 0, 0),
            });
            """);

        var control = BunProbe.Report(BwrapRunner.Run(null, probe, dropCapabilities: true));
        var result = BwrapRunner.Run(filter, probe, dropCapabilities: true);
        var filtered = BunProbe.Report(result);

        Assert.IsGreaterThanOrEqualTo(0, control.GetProperty("inet").GetInt32(), $"{control}");
        Assert.AreEqual(0, control.GetProperty("traceme").GetInt32(), $"{control}");
        Assert.AreEqual(0, control.GetProperty("noAslr").GetInt32(), $"{control}");
        Assert.AreEqual(-22, control.GetProperty("newUser").GetInt32(), $"{control}");
        Assert.AreEqual(42, filtered.GetProperty("worker").GetInt32(), $"{result}");
        Assert.IsGreaterThanOrEqualTo(0, filtered.GetProperty("unix").GetInt32(), $"{result}");
        Assert.IsGreaterThanOrEqualTo(0, filtered.GetProperty("query").GetInt32(), $"{result}");
        Assert.AreEqual(-Eperm, filtered.GetProperty("inet").GetInt32(), $"{result}");
        Assert.AreEqual(-Eperm, filtered.GetProperty("traceme").GetInt32(), $"{result}");
        Assert.AreEqual(-Eperm, filtered.GetProperty("noAslr").GetInt32(), $"{result}");
        Assert.AreEqual(-Eperm, filtered.GetProperty("newUser").GetInt32(), $"{result}");
    }
}
