using CapaKit.Bundle;

namespace CapaKit.Tool.Tests.Seccomp;

/// <summary>Argument conditions for hand-made test policies (the shipped ones come from LinuxSeccompRules).</summary>
internal static class Condition
{
    internal static SeccompArgCondition Eq(int arg, ulong value) => new() { Arg = arg, Op = "eq", Value = value };

    internal static SeccompArgCondition Ne(int arg, ulong value) => new() { Arg = arg, Op = "ne", Value = value };

    internal static SeccompArgCondition Ge(int arg, ulong value) => new() { Arg = arg, Op = "ge", Value = value };

    internal static SeccompArgCondition Lt(int arg, ulong value) => new() { Arg = arg, Op = "lt", Value = value };

    internal static SeccompArgCondition MaskedEq(int arg, ulong mask, ulong value) => new() { Arg = arg, Op = "masked_eq", Mask = mask, Value = value };
}
