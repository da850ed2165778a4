using System.Runtime.InteropServices;

namespace CapaKit.Tool.Sandbox.Linux.Seccomp;

/// <summary>
/// The slice of libseccomp 2.x (<c>seccomp.h</c>) the filter compiler uses. Only stable, 2.4-era entry points:
/// Debian 12 ships 2.5.4, which has no <c>seccomp_export_bpf_mem</c>, so the program is exported to a file descriptor.
/// </summary>
internal static unsafe partial class LibSeccomp
{
    internal const string Library = "libseccomp.so.2";

    internal const uint ActAllow = 0x7fff0000;
    /// <summary>SCMP_ACT_KILL_PROCESS (libseccomp 2.4, kernel 4.14): kills every thread, not only the caller.</summary>
    internal const uint ActKillProcess = 0x80000000;

    internal static uint ActErrno(int errno) => 0x00050000u | ((uint)errno & 0xffffu);

    /// <summary><c>enum scmp_filter_attr</c>.</summary>
    internal const int AttrBadArchAction = 2;
    internal const int AttrNoNewPrivileges = 3;

    /// <summary><c>enum scmp_compare</c>.</summary>
    internal const int CmpNe = 1;
    internal const int CmpLt = 2;
    internal const int CmpEq = 4;
    internal const int CmpGe = 5;
    internal const int CmpMaskedEq = 7;

    /// <summary>__NR_SCMP_ERROR: the name is not a syscall on any architecture libseccomp knows.</summary>
    internal const int UnknownSyscall = -1;

    /// <summary><c>struct scmp_arg_cmp</c>; for masked_eq <see cref="DatumA"/> is the mask and <see cref="DatumB"/> the value.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct ArgComparison
    {
        public uint Arg;
        public int Op;
        public ulong DatumA;
        public ulong DatumB;
    }

    [LibraryImport(Library, EntryPoint = "seccomp_init")]
    internal static partial nint Init(uint defaultAction);

    [LibraryImport(Library, EntryPoint = "seccomp_release")]
    internal static partial void Release(nint ctx);

    [LibraryImport(Library, EntryPoint = "seccomp_attr_set")]
    internal static partial int AttrSet(nint ctx, int attribute, uint value);

    [LibraryImport(Library, EntryPoint = "seccomp_attr_get")]
    internal static partial int AttrGet(nint ctx, int attribute, out uint value);

    [LibraryImport(Library, EntryPoint = "seccomp_syscall_resolve_name", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int ResolveSyscallName(string name);

    [LibraryImport(Library, EntryPoint = "seccomp_rule_add_array")]
    internal static partial int RuleAddArray(nint ctx, uint action, int syscall, uint argCount, ArgComparison* comparisons);

    [LibraryImport(Library, EntryPoint = "seccomp_export_bpf")]
    internal static partial int ExportBpf(nint ctx, int fd);

    private static readonly Lazy<bool> Loadable = new(() => NativeLibrary.TryLoad(Library, out _));

    /// <summary>Fails with the install hint before the first P/Invoke would throw a bare DllNotFoundException.</summary>
    internal static void EnsureAvailable()
    {
        if (!Loadable.Value)
        {
            throw SeccompException.LibraryMissing(null);
        }
    }
}
