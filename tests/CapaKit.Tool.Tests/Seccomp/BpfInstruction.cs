using System.Buffers.Binary;

namespace CapaKit.Tool.Tests.Seccomp;

/// <summary>One classic BPF instruction (<c>struct sock_filter</c>), decoded from an exported program.</summary>
internal readonly record struct BpfInstruction(ushort Code, byte JumpTrue, byte JumpFalse, uint K)
{
    internal const ushort LoadWordAbsolute = 0x20; // BPF_LD | BPF_W | BPF_ABS
    internal const ushort JumpEqual = 0x15;        // BPF_JMP | BPF_JEQ | BPF_K
    internal const ushort JumpGreaterEqual = 0x35; // BPF_JMP | BPF_JGE | BPF_K
    internal const ushort Return = 0x06;           // BPF_RET | BPF_K
    internal const uint SeccompDataNr = 0, SeccompDataArch = 4;
    internal const uint AuditArchX86_64 = 0xC000003E;

    internal static BpfInstruction[] Decode(ReadOnlySpan<byte> program)
    {
        Assert.AreEqual(0, program.Length % 8, "A BPF program is a whole number of 8-byte instructions.");
        var result = new BpfInstruction[program.Length / 8];
        for (var i = 0; i < result.Length; i++)
        {
            var s = program.Slice(i * 8, 8);
            result[i] = new(BinaryPrimitives.ReadUInt16LittleEndian(s), s[2], s[3], BinaryPrimitives.ReadUInt32LittleEndian(s[4..]));
        }
        return result;
    }

    /// <summary>Where control goes from instruction <paramref name="at"/> when its test is true or false.</summary>
    internal static int Target(int at, byte jump) => at + 1 + jump;

    public override string ToString() => $"code=0x{Code:x2} jt={JumpTrue} jf={JumpFalse} k=0x{K:x}";
}
