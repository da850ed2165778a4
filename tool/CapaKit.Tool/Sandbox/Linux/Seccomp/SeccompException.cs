using System.Runtime.InteropServices;

namespace CapaKit.Tool.Sandbox.Linux.Seccomp;

/// <summary>A seccomp policy could not be turned into a filter; the message says what is wrong and what to do.</summary>
public sealed class SeccompException : Exception
{
    private SeccompException(string message, Exception? inner = null) : base(message, inner)
    {
    }

    internal static SeccompException LibraryMissing(Exception? inner) =>
        new($"libseccomp ({LibSeccomp.Library}) cannot be loaded, so the sandbox's syscall filter cannot be built; install libseccomp2: sudo apt-get install libseccomp2", inner);

    internal static SeccompException UnknownSyscall(int ruleNumber, string syscall) =>
        new($"Seccomp rule {ruleNumber} names syscall '{syscall}', which libseccomp does not know; fix the name in the seccomp policy or update libseccomp2.");

    internal static SeccompException InvalidRule(int ruleNumber, string syscall, string problem) =>
        new($"Seccomp rule {ruleNumber} ({syscall}) {problem}.");

    internal static SeccompException InvalidPolicy(string problem) =>
        new($"The seccomp policy {problem}.");

    internal static SeccompException RuleRejected(int ruleNumber, string rule, int errno) =>
        new($"libseccomp rejected seccomp rule {ruleNumber} ({rule}): {Explain(errno)}; check the rule against the other rules for that syscall.");

    internal static SeccompException Libseccomp(string step, int errno) =>
        new($"libseccomp could not {step} ({Explain(errno)}); update libseccomp2 (version 2.4 or later is needed).");

    internal static SeccompException Io(string step, int errno) =>
        new($"Could not {step} ({Marshal.GetPInvokeErrorMessage(errno)}); check the process's open-file limit and memory.");

    private static string Explain(int errno) => errno switch
    {
        17 => "it conflicts with an earlier rule for the same syscall and arguments that returns a different errno",
        22 => "libseccomp found the rule invalid (for instance one argument compared twice)",
        _ => Marshal.GetPInvokeErrorMessage(errno),
    };
}
