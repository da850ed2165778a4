using CapaKit.Bundle;

namespace CapaKit.Tool.Sandbox.Linux.Seccomp;

/// <summary>
/// A deny-list seccomp filter compiled by libseccomp into a classic BPF program, ready for bubblewrap's
/// <c>--seccomp FD</c>. Everything not listed is allowed; each rule returns its errno. Only the native
/// architecture is in the filter and any other ABI (i386 <c>int 0x80</c>, x32) kills the process, because
/// the rules are written in x86_64 syscall numbers and a 32-bit <c>socketcall</c> would walk past them.
/// </summary>
public sealed class SeccompProgram : IDisposable
{
    private readonly byte[] bpf;
    private readonly string[] description;
    private bool disposed;

    private SeccompProgram(byte[] bpf, string[] description, uint badArchAction, bool noNewPrivileges)
    {
        this.bpf = bpf;
        this.description = description;
        BadArchAction = badArchAction;
        NoNewPrivileges = noNewPrivileges;
    }

    /// <summary>The BPF program: <c>struct sock_filter</c> records, 8 bytes each, as the kernel loads them.</summary>
    public ReadOnlyMemory<byte> Bpf
    {
        get
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            return bpf;
        }
    }

    /// <summary>The bad-architecture action libseccomp recorded (read back with seccomp_attr_get).</summary>
    internal uint BadArchAction { get; }

    /// <summary>Whether libseccomp recorded that no_new_privs goes with this filter (read back with seccomp_attr_get).</summary>
    internal bool NoNewPrivileges { get; }

    public static SeccompProgram Compile(SeccompPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        SeccompRuleTranslator.CheckPolicy(policy);
        LibSeccomp.EnsureAvailable();
        try
        {
            return CompileWithLibseccomp(policy);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            throw SeccompException.LibraryMissing(e);
        }
    }

    /// <summary>
    /// A memfd holding <see cref="Bpf"/> at offset 0, without close-on-exec so bwrap (and whatever execs it,
    /// such as prlimit) inherits it under the same number. .NET 10's Process.Start does not close other fds in
    /// the child (the runtime opens its own close-on-exec), so only this one gets through; a test guards that.
    /// Any process spawned by another thread before the caller closes it inherits it too; the content is
    /// sealed, so such a process can read the public program but never alter it. One fd per launch: bwrap
    /// reads it to the end, moving the shared offset. The caller closes it once the child has started.
    /// </summary>
    public int CreateInheritableFd()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        return MemoryFile.CreateInheritable("capakit-seccomp", bpf);
    }

    /// <summary>One line per policy rule, in policy order, for <c>CAPAKIT_DEBUG_SEATBELT_POLICY</c>.</summary>
    public IReadOnlyList<string> Describe() => description;

    public void Dispose() => disposed = true;

    private static unsafe SeccompProgram CompileWithLibseccomp(SeccompPolicy policy)
    {
        var ctx = LibSeccomp.Init(LibSeccomp.ActAllow);
        if (ctx == 0)
        {
            throw SeccompException.Libseccomp("create a filter for this architecture", 12);
        }
        try
        {
            SetAttribute(ctx, LibSeccomp.AttrBadArchAction, LibSeccomp.ActKillProcess, "set the kill-process action for other syscall ABIs");
            SetAttribute(ctx, LibSeccomp.AttrNoNewPrivileges, 1, "require no_new_privs");

            var description = new string[policy.Rules.Count];
            for (var i = 0; i < policy.Rules.Count; i++)
            {
                var rule = policy.Rules[i];
                var number = i + 1;
                var errno = rule.Errno ?? policy.DenyErrno;
                var comparisons = SeccompRuleTranslator.Comparisons(number, rule);
                var syscall = LibSeccomp.ResolveSyscallName(rule.Syscall);
                if (syscall == LibSeccomp.UnknownSyscall)
                {
                    if (!NewerThanSomeLibseccomp.Contains(rule.Syscall))
                    {
                        throw SeccompException.UnknownSyscall(number, rule.Syscall);
                    }
                    // An older libseccomp (e.g. 2.5.3) cannot name this call; refusing every sandbox would be worse
                    // than this one gap, which `doctor` and the debug printout show.
                    description[i] = $"skipped {rule.Syscall}: this libseccomp does not know it; update libseccomp to filter it";
                    continue;
                }
                // Numbers below -1 are libseccomp's pseudo-syscalls: names that exist only on other
                // architectures (socketcall, ipc on x86_64). libseccomp accepts the rule and emits no code for it.
                var existsHere = syscall >= 0;
                description[i] = SeccompRuleTranslator.Describe(rule, errno, existsHere);
                fixed (LibSeccomp.ArgComparison* args = comparisons)
                {
                    var rc = LibSeccomp.RuleAddArray(ctx, LibSeccomp.ActErrno(errno), syscall, (uint)comparisons.Length, args);
                    if (rc < 0)
                    {
                        throw SeccompException.RuleRejected(number, description[i], -rc);
                    }
                }
            }

            var badArch = GetAttribute(ctx, LibSeccomp.AttrBadArchAction);
            var noNewPrivileges = GetAttribute(ctx, LibSeccomp.AttrNoNewPrivileges) != 0;
            return new SeccompProgram(Export(ctx), description, badArch, noNewPrivileges);
        }
        finally
        {
            LibSeccomp.Release(ctx);
        }
    }

    /// <summary>Calls added to the kernel after libseccomp releases still common on LTS distributions.</summary>
    private static readonly HashSet<string> NewerThanSomeLibseccomp = new(StringComparer.Ordinal) { "fchmodat2", "mseal", "map_shadow_stack" };

    private static byte[] Export(nint ctx)
    {
        var fd = MemoryFile.CreatePrivate("capakit-seccomp-export");
        try
        {
            var rc = LibSeccomp.ExportBpf(ctx, fd);
            if (rc < 0)
            {
                throw SeccompException.Libseccomp("export the filter as BPF", -rc);
            }
            MemoryFile.Rewind(fd);
            return MemoryFile.ReadAll(fd);
        }
        finally
        {
            MemoryFile.Close(fd);
        }
    }

    private static void SetAttribute(nint ctx, int attribute, uint value, string step)
    {
        var rc = LibSeccomp.AttrSet(ctx, attribute, value);
        if (rc < 0)
        {
            throw SeccompException.Libseccomp(step, -rc);
        }
    }

    private static uint GetAttribute(nint ctx, int attribute)
    {
        var rc = LibSeccomp.AttrGet(ctx, attribute, out var value);
        if (rc < 0)
        {
            throw SeccompException.Libseccomp("read back a filter attribute", -rc);
        }
        return value;
    }
}
