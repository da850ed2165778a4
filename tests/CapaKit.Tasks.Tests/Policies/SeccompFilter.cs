using CapaKit.Bundle;

namespace CapaKit.Tasks.Tests.Policies;

/// <summary>
/// What a deny-list <see cref="SeccompPolicy"/> does to one call, the way the kernel filter built from it
/// would: a rule matches when every condition holds on the full 64-bit argument; the first match's errno wins
/// (all matches deny, so which one only matters for the errno).
/// </summary>
internal static class SeccompFilter
{
    /// <summary>The errno the call fails with, or null when it is allowed.</summary>
    public static int? Errno(SeccompPolicy policy, string syscall, params ulong[] args)
    {
        foreach (var rule in policy.Rules.Where(r => r.Syscall == syscall))
        {
            if (rule.When.All(c => Holds(c, args.ElementAtOrDefault(c.Arg))))
            {
                return rule.Errno ?? policy.DenyErrno;
            }
        }
        return null;
    }

    public static bool Denies(SeccompPolicy policy, string syscall, params ulong[] args) => Errno(policy, syscall, args) is not null;

    private static bool Holds(SeccompArgCondition condition, ulong value) => condition.Op switch
    {
        "eq" => value == condition.Value,
        "ne" => value != condition.Value,
        "ge" => value >= condition.Value,
        "lt" => value < condition.Value,
        "masked_eq" => (value & condition.Mask) == condition.Value,
        _ => throw new InvalidOperationException($"Unknown seccomp op '{condition.Op}'."),
    };
}
