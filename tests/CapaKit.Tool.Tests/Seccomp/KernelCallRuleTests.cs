using CapaKit.Bundle;
using CapaKit.Tasks.Policies;
using CapaKit.Tool.Sandbox.Linux.Seccomp;

namespace CapaKit.Tool.Tests.Seccomp;

/// <summary>
/// In the real sandbox the hostile suite's bpf, perf_event_open, mount, pivot_root and chroot attacks are refused
/// with EPERM by more than one layer (no capabilities, kernel sysctls), so an EPERM there does not show that the
/// seccomp rule works. Here each call runs with every capability the suite's root has (no user namespace, no
/// --cap-drop: no other layer refuses it), once under the shipped filter and once under the shipped filter with that
/// one rule removed. The arguments are ones the kernel refuses on its own (a path that does not exist, a bad
/// pointer, unknown flags), so nothing ever happens: with the rule the call fails with the rule's EPERM before the
/// kernel reads an argument; without it the call reaches the kernel, which answers with its own error.
/// </summary>
[TestClass]
public sealed class KernelCallRuleTests
{
    private const int Eperm = 1;

    /// <summary>Syscall name to the probe expression that makes it with arguments the kernel refuses.</summary>
    private static readonly Dictionary<string, string> Calls = new()
    {
        // The target is looked up before the permission check: ENOENT.
        ["mount"] = $"sys({BunProbe.Mount}, cstr(\"none\"), cstr(\"/capakit-no-such-dir\"), cstr(\"tmpfs\"), 0, 0)",
        // With CAP_SYS_ADMIN the new root is looked up next: ENOENT.
        ["pivot_root"] = $"sys({BunProbe.PivotRoot}, cstr(\"/capakit-no-such-dir\"), cstr(\"/capakit-no-such-dir\"))",
        // The path is looked up before CAP_SYS_CHROOT is checked: ENOENT.
        ["chroot"] = $"sys({BunProbe.Chroot}, cstr(\"/capakit-no-such-dir\"))",
        // BPF_MAP_CREATE with an attribute pointer into unmapped memory: EFAULT.
        ["bpf"] = $"sys({BunProbe.Bpf}, 0, 8, 16)",
        // Flags outside PERF_FLAG_ALL are refused first: EINVAL.
        ["perf_event_open"] = $"sys({BunProbe.PerfEventOpen}, zeroed, 0, -1, -1, 0x80000000)",
    };

    [TestMethod]
    [DataRow("mount")]
    [DataRow("pivot_root")]
    [DataRow("chroot")]
    [DataRow("bpf")]
    [DataRow("perf_event_open")]
    public void ShippedRule_IsWhatRefusesTheCall(string syscall)
    {
        var shipped = LinuxSeccompRules.For(NetworkAccess.None);
        var without = shipped with { Rules = shipped.Rules.Where(r => r.Syscall != syscall).ToList() };
        Assert.HasCount(1, shipped.Rules.Where(r => r.Syscall == syscall), $"the shipped policy denies {syscall} with one rule");

        var withRule = Run(shipped, syscall);
        var withoutRule = Run(without, syscall);

        Assert.AreEqual(-Eperm, withRule, $"{syscall} under the shipped filter must get the rule's EPERM, even with every capability");
        Assert.IsLessThan(0, withoutRule, $"{syscall} must still fail without the rule (its arguments are invalid)");
        Assert.AreNotEqual(-Eperm, withoutRule, $"{syscall} without the rule must reach the kernel, which refuses the arguments with its own error");
    }

    private static int Run(SeccompPolicy policy, string syscall)
    {
        using var filter = SeccompProgram.Compile(policy);
        var probe = BunProbe.Command($$"""
            const attr = new Uint8Array(new ArrayBuffer(256));
            const zeroed = ptr(attr);
            report({ result: {{Calls[syscall]}} });
            """);
        var result = BwrapRunner.Run(filter, probe, hostRoot: true);
        return BunProbe.Report(result).GetProperty("result").GetInt32();
    }
}
