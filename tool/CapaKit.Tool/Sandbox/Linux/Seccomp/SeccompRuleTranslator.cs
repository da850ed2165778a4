using CapaKit.Bundle;

namespace CapaKit.Tool.Sandbox.Linux.Seccomp;

/// <summary>Checks one policy rule and turns its conditions into libseccomp comparisons and a readable line.</summary>
internal static class SeccompRuleTranslator
{
    internal const int MaxArgument = 5;
    /// <summary>The kernel returns at most MAX_ERRNO (4095) from a filter; errno 0 would fake success.</summary>
    internal const int MaxErrno = 4095;

    /// <summary>Checks what needs the whole policy: names present, errnos in range, no errno libseccomp would drop.</summary>
    internal static void CheckPolicy(SeccompPolicy policy)
    {
        CheckErrno(policy.DenyErrno, SeccompException.InvalidPolicy);
        var unconditional = new Dictionary<string, (int Number, int Errno)>(StringComparer.Ordinal);
        for (var i = 0; i < policy.Rules.Count; i++)
        {
            var (number, rule) = (i + 1, policy.Rules[i]);
            if (string.IsNullOrWhiteSpace(rule?.Syscall))
            {
                throw SeccompException.InvalidPolicy($"has rule {number} without a syscall name; name the syscall it denies");
            }
            var errno = rule.Errno ?? policy.DenyErrno;
            CheckErrno(errno, problem => SeccompException.InvalidRule(number, rule.Syscall, problem));
            if (rule.When.Count == 0) unconditional.TryAdd(rule.Syscall, (number, errno));
        }
        // libseccomp keeps an unconditional rule and silently drops every other rule for the same syscall, errno
        // included (it reports EEXIST only for identical conditions), so a differing errno there is refused here.
        for (var i = 0; i < policy.Rules.Count; i++)
        {
            var rule = policy.Rules[i];
            var errno = rule.Errno ?? policy.DenyErrno;
            if (unconditional.TryGetValue(rule.Syscall, out var first) && first.Number != i + 1 && first.Errno != errno)
            {
                throw SeccompException.InvalidRule(i + 1, rule.Syscall,
                    $"returns {ErrnoNames.Of(errno)}, but rule {first.Number} denies every {rule.Syscall} call with {ErrnoNames.Of(first.Errno)} and libseccomp keeps only that one; give both the same errno or drop one");
            }
        }
    }

    private static void CheckErrno(int errno, Func<string, SeccompException> fail)
    {
        if (errno is < 1 or > MaxErrno)
        {
            throw fail($"has errno {errno}, outside 1..{MaxErrno}; use a Linux errno number such as 1 (EPERM)");
        }
    }

    internal static LibSeccomp.ArgComparison[] Comparisons(int ruleNumber, SeccompRule rule)
    {
        var comparisons = new LibSeccomp.ArgComparison[rule.When.Count];
        var seen = new HashSet<int>();
        for (var i = 0; i < rule.When.Count; i++)
        {
            var condition = rule.When[i];
            if (condition.Arg is < 0 or > MaxArgument)
            {
                throw SeccompException.InvalidRule(ruleNumber, rule.Syscall, $"compares argument {condition.Arg}; syscalls have arguments 0 to {MaxArgument}");
            }
            // libseccomp builds one comparison per argument per rule and returns EINVAL for a second one;
            // an AND of two tests on one argument cannot be rewritten as several (ORed) rules, so it is the author's call.
            if (!seen.Add(condition.Arg))
            {
                throw SeccompException.InvalidRule(ruleNumber, rule.Syscall,
                    $"compares argument {condition.Arg} twice; libseccomp allows one comparison per argument in a rule, so express it as separate rules");
            }
            comparisons[i] = condition.Op switch
            {
                "eq" => new() { Arg = (uint)condition.Arg, Op = LibSeccomp.CmpEq, DatumA = condition.Value },
                "ne" => new() { Arg = (uint)condition.Arg, Op = LibSeccomp.CmpNe, DatumA = condition.Value },
                // Unsigned comparisons of the full 64-bit argument (libseccomp compares the two halves in turn).
                "ge" => new() { Arg = (uint)condition.Arg, Op = LibSeccomp.CmpGe, DatumA = condition.Value },
                "lt" => new() { Arg = (uint)condition.Arg, Op = LibSeccomp.CmpLt, DatumA = condition.Value },
                "masked_eq" => MaskedEq(ruleNumber, rule.Syscall, condition),
                _ => throw SeccompException.InvalidRule(ruleNumber, rule.Syscall, $"uses comparison '{condition.Op}'; use eq, ne, ge, lt or masked_eq"),
            };
        }
        return comparisons;
    }

    private static LibSeccomp.ArgComparison MaskedEq(int ruleNumber, string syscall, SeccompArgCondition condition)
    {
        // A value bit outside the mask can never match, which would silently turn the deny rule off.
        if ((condition.Value & ~condition.Mask) != 0)
        {
            throw SeccompException.InvalidRule(ruleNumber, syscall,
                $"tests argument {condition.Arg} against value {Hex(condition.Value)} with mask {Hex(condition.Mask)}, which can never match; put every value bit inside the mask");
        }
        return new() { Arg = (uint)condition.Arg, Op = LibSeccomp.CmpMaskedEq, DatumA = condition.Mask, DatumB = condition.Value };
    }

    /// <summary>e.g. <c>deny socket(arg0 != 1) -> EPERM  (no IP networking)</c>.</summary>
    internal static string Describe(SeccompRule rule, int errno, bool existsHere)
    {
        var conditions = rule.When.Count == 0 ? "" : "(" + string.Join(" && ", rule.When.Select(Describe)) + ")";
        var line = $"deny {rule.Syscall}{conditions} -> {ErrnoNames.Of(errno)}";
        if (!string.IsNullOrWhiteSpace(rule.Reason)) line += $"  ({rule.Reason})";
        if (!existsHere) line += "  [no such syscall on this architecture: nothing to filter; other ABIs are killed by the architecture check]";
        return line;
    }

    private static string Describe(SeccompArgCondition c) => c.Op switch
    {
        "eq" => $"arg{c.Arg} == {Number(c.Value)}",
        "ne" => $"arg{c.Arg} != {Number(c.Value)}",
        "ge" => $"arg{c.Arg} >= {Number(c.Value)}",
        "lt" => $"arg{c.Arg} < {Number(c.Value)}",
        _ => $"arg{c.Arg} & {Hex(c.Mask)} == {Hex(c.Value)}",
    };

    private static string Number(ulong value) => value <= 255 ? value.ToString() : Hex(value);

    private static string Hex(ulong value) => $"0x{value:x}";
}
