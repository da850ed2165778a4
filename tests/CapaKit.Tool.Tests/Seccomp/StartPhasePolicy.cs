using CapaKit.Bundle;

namespace CapaKit.Tool.Tests.Seccomp;

/// <summary>
/// A hand-written copy of the deny list <c>CapaKit.Tasks.Policies.LinuxSeccompRules.For(network)</c> emits
/// (that assembly is not referenced here). Keep it in step with the compiler's list.
/// </summary>
internal static class StartPhasePolicy
{
    private const ulong Low32 = 0xffffffff;

    private static readonly string[] Unconditional =
    [
        "ptrace", "process_vm_readv", "process_vm_writev",
        "io_uring_enter", "io_uring_register", "io_uring_setup",
        "chroot", "mount", "pivot_root", "umount2",
        "setns", "unshare",
        "add_key", "keyctl", "request_key",
        "bpf", "userfaultfd", "perf_event_open", "lookup_dcookie",
        "kexec_file_load", "kexec_load",
        "delete_module", "finit_module", "init_module",
        "acct", "quotactl", "reboot", "swapoff", "swapon",
        "name_to_handle_at", "open_by_handle_at",
        "ioperm", "iopl",
        "socketcall",
    ];

    internal static SeccompPolicy For(string network)
    {
        var rules = Unconditional.Select(s => Deny(s, "unconditional")).ToList();
        rules.Add(Deny("mknod", "character device", MaskedEq(1, 0xF000, 0x2000)));
        rules.Add(Deny("mknod", "block device", MaskedEq(1, 0xF000, 0x6000)));
        rules.Add(Deny("mknodat", "character device", MaskedEq(2, 0xF000, 0x2000)));
        rules.Add(Deny("mknodat", "block device", MaskedEq(2, 0xF000, 0x6000)));
        rules.Add(Deny("ioctl", "TIOCSTI", MaskedEq(1, Low32, 0x5412)));
        rules.Add(Deny("ioctl", "TIOCLINUX", MaskedEq(1, Low32, 0x541C)));
        rules.Add(Deny("clone", "CLONE_NEWUSER", MaskedEq(0, 0x10000000, 0x10000000)));
        rules.Add(new SeccompRule { Syscall = "clone3", Errno = 38, Reason = "ENOSYS so libc falls back to clone" });

        var bits = Enumerable.Range(0, 32).Where(b => b != 3).ToArray();
        var pairs = bits.Select((set, i) => (Set: set, Clear: bits[(i + 1) % bits.Length])).Append((Set: 0, Clear: 3));
        rules.AddRange(pairs.Select(p => Deny("personality", $"bit {p.Set} set and bit {p.Clear} clear",
            MaskedEq(0, (1UL << p.Set) | (1UL << p.Clear), 1UL << p.Set))));

        if (network == NetworkAccess.None)
        {
            rules.Add(Deny("socket", "only AF_UNIX", Ne(0, 1)));
        }
        else
        {
            rules.Add(Deny("socket", "AF_PACKET", MaskedEq(0, Low32, 17)));
            rules.Add(Deny("socket", "AF_VSOCK", MaskedEq(0, Low32, 40)));
            rules.Add(Deny("socket", "SOCK_RAW", MaskedEq(1, 0xf, 3)));
            rules.Add(Deny("socket", "SOCK_PACKET", MaskedEq(1, 0xf, 10)));
        }
        rules.Add(Deny("socketpair", "only AF_UNIX", Ne(0, 1)));

        return new SeccompPolicy { DenyErrno = 1, Rules = rules.OrderBy(r => r.Syscall, StringComparer.Ordinal).ToList() };
    }

    private static SeccompRule Deny(string syscall, string reason, params SeccompArgCondition[] when) =>
        new() { Syscall = syscall, Reason = reason, When = [.. when] };

    internal static SeccompArgCondition MaskedEq(int arg, ulong mask, ulong value) => new() { Arg = arg, Op = "masked_eq", Mask = mask, Value = value };

    internal static SeccompArgCondition Ne(int arg, ulong value) => new() { Arg = arg, Op = "ne", Value = value };

    internal static SeccompArgCondition Eq(int arg, ulong value) => new() { Arg = arg, Op = "eq", Value = value };
}
