using CapaKit.Bundle;

namespace CapaKit.Tasks.Policies;

/// <summary>
/// The seccomp deny list of the Linux sandbox. Every rule must be something libseccomp accepts as one rule:
/// conditions are ANDed and each argument is compared at most once, so "not one of these values" is built
/// from several rules (which are ORed). Integer arguments the kernel reads as 32 bits are compared through
/// a 32-bit mask, so stray high bits cannot slip a value past an equality test.
/// </summary>
public static class LinuxSeccompRules
{
    public const int Eperm = 1;
    public const int Enosys = 38;
    public const int Eprotonosupport = 93;
    public const int Esocktnosupport = 94;
    public const int Eafnosupport = 97;

    public const ulong AfUnix = 1;
    public const ulong AfInet = 2;
    public const ulong AfInet6 = 10;
    public const ulong AfNetlink = 16;
    public const ulong AfPacket = 17;
    public const ulong AfVsock = 40;
    public const ulong NetlinkRoute = 0;
    public const ulong SockTypeMask = 0xf;
    public const ulong SockStream = 1;
    public const ulong SockDgram = 2;
    public const ulong SockRaw = 3;
    public const ulong SockPacket = 10;
    public const ulong IpprotoDefault = 0;
    public const ulong IpprotoTcp = 6;
    public const ulong IpprotoUdp = 17;
    public const ulong FileTypeMask = 0xF000; // S_IFMT, 0o170000
    public const ulong CharacterDevice = 0x2000; // S_IFCHR, 0o020000
    public const ulong BlockDevice = 0x6000; // S_IFBLK, 0o060000
    public const ulong SetUserId = 0x800; // S_ISUID, 0o4000
    public const ulong SetGroupId = 0x400; // S_ISGID, 0o2000
    public const ulong Tiocsti = 0x5412;
    public const ulong Tioclinux = 0x541C;
    public const ulong CloneNewUser = 0x10000000;
    public const ulong PerLinux = 0;
    public const ulong PerLinux32 = 0x0008;
    public const ulong PersonalityQuery = 0xffffffff;
    private const ulong Low32 = 0xffffffff;

    private static readonly (string Reason, string[] Syscalls)[] Unconditional =
    [
        ("reads or writes another process's memory", ["ptrace", "process_vm_readv", "process_vm_writev"]),
        ("io_uring opens files and sockets without the syscalls this filter checks", ["io_uring_enter", "io_uring_register", "io_uring_setup"]),
        ("changes the root or the mount table the sandbox is built from", ["chroot", "mount", "pivot_root", "umount2"]),
        // The new mount API does what mount() does by other calls; --cap-drop ALL stops it too, this keeps the layers alike.
        ("mounts through the new mount API, which the mount rule does not see",
            ["fsconfig", "fsmount", "fsopen", "fspick", "mount_setattr", "move_mount", "open_tree"]),
        ("enters or creates namespaces, which would undo the sandbox's view", ["setns", "unshare"]),
        ("the kernel keyring is not namespaced and may hold host credentials", ["add_key", "keyctl", "request_key"]),
        ("loads programs into the kernel", ["bpf"]),
        ("stalls kernel page faults, a staple of kernel exploits", ["userfaultfd"]),
        ("observes other processes and the kernel", ["perf_event_open", "lookup_dcookie"]),
        ("replaces the running kernel", ["kexec_file_load", "kexec_load"]),
        ("loads or unloads kernel modules", ["delete_module", "finit_module", "init_module"]),
        ("machine administration: swap, reboot, process accounting, quotas", ["acct", "quotactl", "reboot", "swapoff", "swapon"]),
        ("opens files by handle, bypassing the mount namespace", ["name_to_handle_at", "open_by_handle_at"]),
        ("raw I/O port access", ["ioperm", "iopl"]),
        ("32-bit socket multiplexer: its arguments sit in memory seccomp cannot inspect, so the socket rules would not apply", ["socketcall"]),
    ];

    public static SeccompPolicy For(string network)
    {
        var rules = new List<SeccompRule>();
        foreach (var (reason, syscalls) in Unconditional)
        {
            rules.AddRange(syscalls.Select(s => Deny(s, reason)));
        }

        // mknod of FIFOs and regular files is harmless; device nodes would reach host hardware.
        rules.Add(Deny("mknod", "creates a character device node", MaskedEq(1, FileTypeMask, CharacterDevice)));
        rules.Add(Deny("mknod", "creates a block device node", MaskedEq(1, FileTypeMask, BlockDevice)));
        rules.Add(Deny("mknodat", "creates a character device node", MaskedEq(2, FileTypeMask, CharacterDevice)));
        rules.Add(Deny("mknodat", "creates a block device node", MaskedEq(2, FileTypeMask, BlockDevice)));

        // The workload root and read-write mounts are host folders, and a sandbox started by root writes there as host
        // root: a setuid (or setgid) bit on one of its files would hand root to any host user who runs it. Writing a
        // file clears those bits (nothing inside has CAP_FSETID), so the chmod calls are the only way to set them.
        foreach (var (syscall, modeArg) in new[] { ("chmod", 1), ("fchmod", 1), ("fchmodat", 2), ("fchmodat2", 2) })
        {
            rules.Add(Deny(syscall, "sets the setuid bit: a host user running the file would become its owner", MaskedEq(modeArg, SetUserId, SetUserId)));
            rules.Add(Deny(syscall, "sets the setgid bit: a host user running the file would join its group", MaskedEq(modeArg, SetGroupId, SetGroupId)));
        }

        // The request code is an unsigned int to the kernel: mask off high bits a caller could add.
        rules.Add(Deny("ioctl", "TIOCSTI pushes keystrokes into the controlling terminal", MaskedEq(1, Low32, Tiocsti)));
        rules.Add(Deny("ioctl", "TIOCLINUX can read and inject console input", MaskedEq(1, Low32, Tioclinux)));

        rules.Add(Deny("clone", "CLONE_NEWUSER gives the child full capabilities in a fresh user namespace", MaskedEq(0, CloneNewUser, CloneNewUser)));
        rules.Add(new SeccompRule
        {
            Syscall = "clone3",
            Errno = Enosys,
            Reason = "flags are in a struct seccomp cannot read, so CLONE_NEWUSER cannot be checked; ENOSYS makes libc fall back to clone",
        });

        rules.AddRange(PersonalityRules());
        rules.AddRange(SocketRules(network));
        rules.Add(Deny("socketpair", "socket pairs other than AF_UNIX", Ne(0, AfUnix)));

        // Grouped by syscall for reading; the sort is stable, so rules of one syscall keep the order above.
        return new SeccompPolicy
        {
            DenyErrno = Eperm,
            Rules = rules.OrderBy(r => r.Syscall, StringComparer.Ordinal).ToList(),
        };
    }

    private static IEnumerable<SeccompRule> SocketRules(string network)
    {
        if (network == NetworkAccess.None)
        {
            // Also closes AF_NETLINK, AF_PACKET and AF_VSOCK; ne on the full 64 bits is the strict side.
            yield return Deny("socket", "no network: only AF_UNIX sockets (the runtime's ingress, bridge and peer sockets)", Ne(0, AfUnix));
            yield break;
        }
        // With network, an allow list: every other family (packet, vsock, alg, key, tipc, rds, can, bluetooth, xdp, …)
        // is kernel code a web workload never needs, and asking for one can autoload its module. Each errno is the one
        // the kernel gives for what it lacks, so libraries fall back, and it tells the filter's answer from the kernel's.
        foreach (var family in OutsideOf(0, Low32, [AfUnix, AfInet, AfInet6, AfNetlink]))
        {
            yield return Deny("socket", $"with network only AF_UNIX, AF_INET, AF_INET6 and AF_NETLINK; this rule: family {family.Describe}", Eafnosupport, family.Condition);
        }
        yield return Deny("socket", "AF_NETLINK other than NETLINK_ROUTE (uevents, audit, sock_diag, netfilter); NETLINK_ROUTE is what os.networkInterfaces() reads",
            Eprotonosupport, MaskedEq(0, Low32, AfNetlink), Ne(2, NetlinkRoute));
        foreach (var inet in new[] { AfInet, AfInet6 })
        {
            var name = inet == AfInet ? "AF_INET" : "AF_INET6";
            // Types other than stream and datagram: raw packets, SOCK_PACKET (AF_INET's alias of AF_PACKET), SCTP's
            // SOCK_SEQPACKET, DCCP's SOCK_DCCP. The flags above the type's four bits (cloexec, nonblock) do not count.
            foreach (var type in OutsideOf(1, SockTypeMask, [SockStream, SockDgram], openEnded: false))
            {
                yield return Deny("socket", $"{name} sockets other than SOCK_STREAM and SOCK_DGRAM (raw, packet, SCTP, DCCP); this rule: type {type.Describe}",
                    Esocktnosupport, MaskedEq(0, Low32, inet), type.Condition);
            }
            // Protocols other than TCP and UDP (0 is the type's default): SCTP, DCCP, L2TP, UDP-Lite, MPTCP, SMC, ICMP echo.
            foreach (var protocol in OutsideOf(2, Low32, [IpprotoDefault, IpprotoTcp, IpprotoUdp]))
            {
                yield return Deny("socket", $"{name} protocols other than TCP and UDP (SCTP, DCCP, L2TP, UDP-Lite, MPTCP, ICMP); this rule: protocol {protocol.Describe}",
                    Eprotonosupport, MaskedEq(0, Low32, inet), protocol.Condition);
            }
        }
    }

    /// <summary>One block of values outside an allow list, as a single comparison, with how it reads.</summary>
    private readonly record struct ValueBlock(SeccompArgCondition Condition, string Describe);

    /// <summary>
    /// The values of an argument outside <paramref name="allowed"/>, as comparisons a deny rule each (libseccomp compares
    /// an argument once per rule, so a set cannot be one rule): the gaps below the largest allowed value split into aligned
    /// power-of-two blocks, each a masked_eq; above it one unsigned ge on the full 64 bits (open-ended), which also denies
    /// any value with high bits set, or the rest of the masked range as more blocks.
    /// </summary>
    private static IEnumerable<ValueBlock> OutsideOf(int arg, ulong mask, ulong[] allowed, bool openEnded = true)
    {
        var start = 0UL;
        foreach (var value in allowed.Order())
        {
            foreach (var block in Blocks(arg, mask, start, value))
            {
                yield return block;
            }
            start = value + 1;
        }
        if (openEnded)
        {
            yield return new(new SeccompArgCondition { Arg = arg, Op = "ge", Value = start }, $">= {start}");
            yield break;
        }
        foreach (var block in Blocks(arg, mask, start, mask + 1))
        {
            yield return block;
        }
    }

    private static IEnumerable<ValueBlock> Blocks(int arg, ulong mask, ulong from, ulong to) =>
        AlignedBlocks(from, to).Select(b => new ValueBlock(
            MaskedEq(arg, mask & ~(b.Size - 1), b.Start), b.Size == 1 ? $"{b.Start}" : $"{b.Start}..{b.Start + b.Size - 1}"));

    /// <summary>[from, to) as the largest aligned power-of-two blocks, in order.</summary>
    private static IEnumerable<(ulong Start, ulong Size)> AlignedBlocks(ulong from, ulong to)
    {
        while (from < to)
        {
            var size = from == 0 ? 1UL << 62 : from & (~from + 1); // the largest power of two that aligns with from
            while (from + size > to)
            {
                size >>= 1;
            }
            yield return (from, size);
            from += size;
        }
    }

    /// <summary>
    /// Denies personality() for every value but PER_LINUX (0), PER_LINUX32 (8) and the 0xffffffff query:
    /// other values turn off address-space randomisation or make data executable. libseccomp compares an
    /// argument once per rule, so the set is covered by rules "bit a set and bit b clear": a cycle over the
    /// 31 bits other than 3, plus "bit 0 set, bit 3 clear". Every such pattern excludes 0, 8 and 0xffffffff;
    /// any other value has, walking the cycle, a set bit followed by a clear one (or is 0xfffffff7, caught by
    /// the extra rule). The kernel reads the argument as 32 bits, and the masks ignore the high half too.
    /// </summary>
    private static IEnumerable<SeccompRule> PersonalityRules()
    {
        const string reason = "personality other than PER_LINUX, PER_LINUX32 or the 0xffffffff query (disables ASLR, READ_IMPLIES_EXEC)";
        var bits = Enumerable.Range(0, 32).Where(b => b != 3).ToArray();
        var pairs = bits.Select((set, i) => (Set: set, Clear: bits[(i + 1) % bits.Length])).Append((Set: 0, Clear: 3));
        foreach (var (set, clear) in pairs)
        {
            yield return Deny("personality", $"{reason}; this rule: bit {set} set and bit {clear} clear",
                MaskedEq(0, (1UL << set) | (1UL << clear), 1UL << set));
        }
    }

    private static SeccompRule Deny(string syscall, string reason, params SeccompArgCondition[] when) =>
        new() { Syscall = syscall, Reason = reason, When = [.. when] };

    private static SeccompRule Deny(string syscall, string reason, int errno, params SeccompArgCondition[] when) =>
        new() { Syscall = syscall, Reason = reason, Errno = errno, When = [.. when] };

    private static SeccompArgCondition MaskedEq(int arg, ulong mask, ulong value) => new() { Arg = arg, Op = "masked_eq", Mask = mask, Value = value };

    private static SeccompArgCondition Ne(int arg, ulong value) => new() { Arg = arg, Op = "ne", Value = value };
}
