using CapaKit.Bundle;
using CapaKit.Tasks.Policies;
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
            Rules = [new() { Syscall = "socket", When = [Condition.Ne(0, 1)], Reason = "no IP networking" }],
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
                new() { Syscall = "mknod", When = [Condition.MaskedEq(1, 0xF000, 0x2000)] },
                new() { Syscall = "mknodat", When = [Condition.MaskedEq(2, 0xF000, 0x2000)] },
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
    /// other calls (and socketcall exists); the filter must kill the process instead of letting it through. A kernel
    /// without IA32 emulation refuses the instruction itself (the process faults before any syscall entry, where
    /// seccomp would look): there the call cannot run at all, and must not under the filter either.
    /// </summary>
    [TestMethod]
    public void I386SyscallThroughInt80_KillsTheProcess()
    {
        using var filter = SeccompProgram.Compile(new SeccompPolicy { Rules = [new() { Syscall = "mkdir" }] });
        var probe = BunProbe.Command($"console.log('before'); report({{ pid: int80({BunProbe.I386Getpid}) }});");

        var control = BwrapRunner.Run(null, probe);
        var filtered = BwrapRunner.Run(filter, probe);

        StringAssert.StartsWith(control.Stdout, "before", $"{control}");
        StringAssert.StartsWith(filtered.Stdout, "before", $"{filtered}");
        if (!BunProbe.Reported(control))
        {
            Assert.AreNotEqual(0, control.ExitCode, $"Without IA32 emulation the i386 call must end the process: {control}");
            Assert.IsFalse(BunProbe.Reported(filtered), $"An i386 call this kernel refuses must not run under the filter either: {filtered}");
            return;
        }
        Assert.IsGreaterThan(0, BunProbe.Report(control).GetProperty("pid").GetInt32(), $"{control}");
        Assert.IsFalse(BunProbe.Reported(filtered), $"{filtered}");
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
    /// The shipped start-phase list (no network) under bwrap: Bun itself starts and works (threads fall back from
    /// clone3 to clone), while the attacks the list exists for are refused.
    /// </summary>
    [TestMethod]
    public void ShippedStartPolicy_RunsBunAndRefusesTheAttacks()
    {
        using var filter = SeccompProgram.Compile(LinuxSeccompRules.For(NetworkAccess.None));
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

    /// <summary>
    /// ge and lt compare the whole 64-bit argument, unsigned, at the boundary too: high bits the kernel would ignore
    /// (mkdir's mode is 32 bits) make a value large, so a ge rule catches them (the strict side for a deny rule).
    /// </summary>
    [TestMethod]
    public void GeAndLt_CompareTheWhole64BitArgument()
    {
        using var filter = SeccompProgram.Compile(new SeccompPolicy
        {
            Rules =
            [
                new() { Syscall = "mkdir", Errno = Eacces, When = [Condition.Ge(1, 0x1c0)] }, // mode >= 0o700
                new() { Syscall = "mkdirat", Errno = Enosys, When = [Condition.Lt(2, 0x40)] }, // mode < 0o100
            ],
        });
        var probe = BunProbe.Command($$"""
            const mkdir = (name, mode) => sys({{BunProbe.Mkdir}}, cstr("/tmp/" + name), mode);
            const mkdirat = (name, mode) => sys({{BunProbe.Mkdirat}}, -100, cstr("/tmp/" + name), mode);
            report({
              ge755: mkdir("a", 0o755), ge700: mkdir("b", 0o700), below: mkdir("c", 0o677), highBits: mkdir("d", 2 ** 32 + 0o600),
              lt077: mkdirat("e", 0o077), at100: mkdirat("f", 0o100), ltHighBits: mkdirat("g", 2 ** 32 + 0o077),
            });
            """);

        var control = BunProbe.Report(BwrapRunner.Run(null, probe));
        var filtered = BunProbe.Report(BwrapRunner.Run(filter, probe));

        foreach (var call in new[] { "ge755", "ge700", "below", "highBits", "lt077", "at100", "ltHighBits" })
        {
            Assert.AreEqual(0, control.GetProperty(call).GetInt32(), $"{call} without the filter: {control}");
        }
        Assert.AreEqual(-Eacces, filtered.GetProperty("ge755").GetInt32(), $"{filtered}");
        Assert.AreEqual(-Eacces, filtered.GetProperty("ge700").GetInt32(), $"ge includes its value: {filtered}");
        Assert.AreEqual(0, filtered.GetProperty("below").GetInt32(), $"{filtered}");
        Assert.AreEqual(-Eacces, filtered.GetProperty("highBits").GetInt32(), $"high bits make the value large: {filtered}");
        Assert.AreEqual(-Enosys, filtered.GetProperty("lt077").GetInt32(), $"{filtered}");
        Assert.AreEqual(0, filtered.GetProperty("at100").GetInt32(), $"lt excludes its value: {filtered}");
        Assert.AreEqual(0, filtered.GetProperty("ltHighBits").GetInt32(), $"{filtered}");
    }
}
