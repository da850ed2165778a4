using CapaKit.Bundle;
using CapaKit.Tasks.Policies;
using CapaKit.Tool.Sandbox.Linux.Seccomp;

namespace CapaKit.Tool.Tests.Seccomp;

/// <summary>What <see cref="SeccompProgram.Compile"/> produces and refuses, checked on the exported BPF itself.</summary>
[TestClass]
public sealed class SeccompCompileTests
{
    private const uint KillProcess = 0x80000000;

    [TestMethod]
    [DataRow(NetworkAccess.None)]
    [DataRow(NetworkAccess.Registry)]
    [DataRow(NetworkAccess.Full)]
    public void ShippedPolicy_CompilesEveryRule(string network)
    {
        var policy = LinuxSeccompRules.For(network);

        using var program = SeccompProgram.Compile(policy);

        Assert.IsGreaterThan(0, program.Bpf.Length);
        Assert.HasCount(policy.Rules.Count, program.Describe());
        // Only calls newer than some libseccomp may be skipped; every other rule is in the program.
        foreach (var line in program.Describe().Where(l => l.StartsWith("skipped ", StringComparison.Ordinal)))
        {
            StringAssert.StartsWith(line, "skipped fchmodat2:", line);
        }
    }

    [TestMethod]
    public void Describe_ListsEveryRuleWithItsConditionsErrnoAndReason()
    {
        var policy = new SeccompPolicy
        {
            Rules =
            [
                new() { Syscall = "socket", When = [Condition.Ne(0, 1)], Reason = "no IP networking in this phase" },
                new() { Syscall = "mknodat", When = [Condition.MaskedEq(2, 0xF000, 0x2000)] },
                new() { Syscall = "clone3", Errno = 38 },
                new() { Syscall = "kill", When = [Condition.Eq(0, 1), Condition.Eq(1, 9)] },
                new() { Syscall = "socket", Errno = 97, When = [Condition.Ge(0, 17)] },
                new() { Syscall = "mkdir", When = [Condition.Lt(1, 0x100)] },
            ],
        };

        using var program = SeccompProgram.Compile(policy);

        CollectionAssert.AreEqual(
            new[]
            {
                "deny socket(arg0 != 1) -> EPERM  (no IP networking in this phase)",
                "deny mknodat(arg2 & 0xf000 == 0x2000) -> EPERM",
                "deny clone3 -> ENOSYS",
                "deny kill(arg0 == 1 && arg1 == 9) -> EPERM",
                "deny socket(arg0 >= 17) -> EAFNOSUPPORT",
                "deny mkdir(arg1 < 0x100) -> EPERM",
            },
            program.Describe().ToArray());
    }

    [TestMethod]
    public void UnknownSyscall_IsNamedInTheError()
    {
        var policy = new SeccompPolicy { Rules = [new() { Syscall = "ptrace" }, new() { Syscall = "not_a_syscall" }] };

        var error = Assert.ThrowsExactly<SeccompException>(() => SeccompProgram.Compile(policy));

        StringAssert.Contains(error.Message, "'not_a_syscall'");
        StringAssert.Contains(error.Message, "rule 2");
    }

    /// <summary>libseccomp answers EINVAL for a second comparison of one argument; the compiler says why instead.</summary>
    [TestMethod]
    public void SameArgumentComparedTwice_IsReportedClearly()
    {
        var policy = new SeccompPolicy
        {
            Rules = [new() { Syscall = "socket", When = [Condition.Ne(0, 1), Condition.Ne(0, 2)] }],
        };

        var error = Assert.ThrowsExactly<SeccompException>(() => SeccompProgram.Compile(policy));

        StringAssert.Contains(error.Message, "argument 0 twice");
        StringAssert.Contains(error.Message, "separate rules");
    }

    [TestMethod]
    public void InvalidConditionsAndErrnos_AreRejected()
    {
        Rejects(new SeccompRule { Syscall = "socket", When = [new() { Arg = 0, Op = "le", Value = 2 }] }, "use eq, ne, ge, lt or masked_eq");
        Rejects(new SeccompRule { Syscall = "socket", When = [Condition.Eq(6, 2)] }, "arguments 0 to 5");
        Rejects(new SeccompRule { Syscall = "mknod", When = [Condition.MaskedEq(1, 0xF000, 0x12000)] }, "can never match");
        Rejects(new SeccompRule { Syscall = "mkdir", Errno = 0 }, "outside 1..4095");
        Rejects(new SeccompRule { Syscall = " " }, "without a syscall name");
        Rejects(new SeccompRule { Syscall = "mkdir", Errno = 5000 }, "outside 1..4095");
        var error = Assert.ThrowsExactly<SeccompException>(() => SeccompProgram.Compile(new SeccompPolicy { DenyErrno = 0 }));
        StringAssert.Contains(error.Message, "outside 1..4095");
    }

    /// <summary>
    /// libseccomp silently keeps the first of two unconditional rules (and drops a conditional one next to an
    /// unconditional one), so differing errnos there would be lost; identical conditions it rejects itself.
    /// </summary>
    [TestMethod]
    public void ConflictingErrnos_ForTheSameCalls_AreReported()
    {
        var unconditional = new SeccompPolicy { Rules = [new() { Syscall = "mkdir" }, new() { Syscall = "mkdir", Errno = 38 }] };
        var shadowed = new SeccompPolicy
        {
            Rules = [new() { Syscall = "socket", Errno = 38, When = [Condition.Eq(0, 2)] }, new() { Syscall = "socket" }],
        };
        var sameConditions = new SeccompPolicy
        {
            Rules =
            [
                new() { Syscall = "socket", Errno = 38, When = [Condition.Eq(0, 2)] },
                new() { Syscall = "socket", When = [Condition.Eq(0, 2)] },
            ],
        };

        StringAssert.Contains(Assert.ThrowsExactly<SeccompException>(() => SeccompProgram.Compile(unconditional)).Message,
            "rule 2 (mkdir) returns ENOSYS, but rule 1 denies every mkdir call with EPERM");
        StringAssert.Contains(Assert.ThrowsExactly<SeccompException>(() => SeccompProgram.Compile(shadowed)).Message,
            "rule 1 (socket) returns ENOSYS, but rule 2 denies every socket call with EPERM");
        StringAssert.Contains(Assert.ThrowsExactly<SeccompException>(() => SeccompProgram.Compile(sameConditions)).Message,
            "libseccomp rejected seccomp rule 2 (deny socket(arg0 == 2) -> EPERM)");

        // The same errno twice is only redundant, and fine.
        using var _ = SeccompProgram.Compile(new SeccompPolicy { Rules = [new() { Syscall = "mkdir" }, new() { Syscall = "mkdir", When = [Condition.Eq(1, 0)] }] });
    }

    /// <summary>
    /// socketcall exists only on 32-bit x86: libseccomp resolves it to a negative pseudo number, accepts the rule
    /// and emits nothing for it. The 32-bit ABI itself is killed by the architecture check.
    /// </summary>
    [TestMethod]
    public void SyscallAbsentOnThisArchitecture_CompilesToNothingAndSaysSo()
    {
        using var with = SeccompProgram.Compile(new SeccompPolicy { Rules = [new() { Syscall = "mkdir" }, new() { Syscall = "socketcall" }] });
        using var without = SeccompProgram.Compile(new SeccompPolicy { Rules = [new() { Syscall = "mkdir" }] });

        Assert.IsTrue(with.Bpf.Span.SequenceEqual(without.Bpf.Span), "A rule for a syscall this architecture lacks must not change the program.");
        StringAssert.Contains(with.Describe()[1], "no such syscall on this architecture");
    }

    /// <summary>Only x86_64 is in the filter: another audit arch (i386 int 0x80) and x32 numbers reach KILL_PROCESS.</summary>
    [TestMethod]
    public void OtherSyscallAbis_AreKilled_InTheExportedProgram()
    {
        using var program = SeccompProgram.Compile(new SeccompPolicy { Rules = [new() { Syscall = "mkdir" }] });
        var code = BpfInstruction.Decode(program.Bpf.Span);

        Assert.AreEqual(KillProcess, program.BadArchAction);
        Assert.IsTrue(program.NoNewPrivileges);

        Assert.AreEqual(new BpfInstruction(BpfInstruction.LoadWordAbsolute, 0, 0, BpfInstruction.SeccompDataArch), code[0]);
        Assert.AreEqual(BpfInstruction.JumpEqual, code[1].Code);
        Assert.AreEqual(BpfInstruction.AuditArchX86_64, code[1].K);
        Assert.AreEqual(KillProcess, ReturnValue(code, BpfInstruction.Target(1, code[1].JumpFalse)), "A foreign architecture must be killed.");

        var x32 = Array.FindIndex(code, i => i.Code == BpfInstruction.JumpGreaterEqual && i.K == 0x40000000);
        Assert.IsGreaterThan(1, x32, "The program must test for the x32 syscall bit.");
        var target = BpfInstruction.Target(x32, code[x32].JumpTrue);
        // libseccomp lets nr == -1 through (the value a tracer uses to skip a call); every other x32 number is killed.
        if (code[target] is { Code: BpfInstruction.JumpEqual, K: 0xffffffff } skip)
        {
            target = BpfInstruction.Target(target, skip.JumpFalse);
        }
        Assert.AreEqual(KillProcess, ReturnValue(code, target), "An x32 syscall number must be killed.");
    }

    [TestMethod]
    public void MissingLibseccomp_MessageSaysWhatToInstall()
    {
        StringAssert.Contains(SeccompException.LibraryMissing(null).Message, "sudo apt-get install libseccomp2");
    }

    [TestMethod]
    public void DisposedProgram_RefusesToHandOutTheFilter()
    {
        var program = SeccompProgram.Compile(new SeccompPolicy { Rules = [new() { Syscall = "mkdir" }] });
        program.Dispose();

        Assert.ThrowsExactly<ObjectDisposedException>(() => program.CreateInheritableFd());
    }

    private static void Rejects(SeccompRule rule, string expected)
    {
        var error = Assert.ThrowsExactly<SeccompException>(() => SeccompProgram.Compile(new SeccompPolicy { Rules = [rule] }));
        StringAssert.Contains(error.Message, expected);
    }

    private static uint ReturnValue(BpfInstruction[] code, int at)
    {
        Assert.AreEqual(BpfInstruction.Return, code[at].Code, $"Instruction {at} should be a return: {code[at]}");
        return code[at].K;
    }
}
