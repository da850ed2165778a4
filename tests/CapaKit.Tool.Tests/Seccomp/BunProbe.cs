using System.Text.Json;

namespace CapaKit.Tool.Tests.Seccomp;

/// <summary>
/// Bun scripts that make syscalls directly, so a test sees exactly what the kernel answered (no libc wrapper,
/// no errno read later): a few bytes of machine code in an executable page, called through bun:ffi.
/// Needs no compiler at test time.
/// </summary>
internal static class BunProbe
{
    /// <summary>
    /// Defines <c>sys(nr, ...args)</c> (x86_64 <c>syscall</c>; returns the raw result, -errno on failure),
    /// <c>int80(nr)</c> (i386 ABI through <c>int 0x80</c>, no arguments) and <c>cstr(s)</c>, and sets RLIMIT_CORE
    /// to 0 so a process the filter kills leaves no core file.
    /// </summary>
    private const string Prelude = """
        const { dlopen, CFunction, toArrayBuffer, ptr } = require("bun:ffi");
        const libc = dlopen("libc.so.6", {
          mmap: { args: ["ptr", "u64", "i32", "i32", "i32", "i64"], returns: "ptr" },
          setrlimit: { args: ["i32", "ptr"], returns: "i32" },
        });
        const noCore = new BigUint64Array([0n, 0n]);
        libc.symbols.setrlimit(4, ptr(noCore));
        const page = libc.symbols.mmap(null, 4096, 7, 0x22, -1, 0);
        const code = new Uint8Array(toArrayBuffer(page, 0, 4096));
        // mov rax,rdi; mov rdi,rsi; mov rsi,rdx; mov rdx,rcx; mov r10,r8; mov r8,r9; syscall; ret
        code.set([0x48,0x89,0xf8, 0x48,0x89,0xf7, 0x48,0x89,0xd6, 0x48,0x89,0xca, 0x4d,0x89,0xc2, 0x4d,0x89,0xc8, 0x0f,0x05, 0xc3], 0);
        // mov eax,edi; int 0x80; ret
        code.set([0x89,0xf8, 0xcd,0x80, 0xc3], 64);
        const raw = CFunction({ ptr: page, args: ["i64", "i64", "i64", "i64", "i64", "i64"], returns: "i64" });
        const sys = (nr, ...a) => Number(raw(nr, ...[...a, 0, 0, 0, 0, 0].slice(0, 5)));
        const int80 = CFunction({ ptr: page + 64, args: ["i32"], returns: "i32" });
        const keep = [];
        const cstr = s => { const b = Buffer.from(s + "\0"); keep.push(b); return ptr(b); };
        const report = o => console.log(JSON.stringify(o));

        """;

    /// <summary>x86_64 syscall numbers the tests use.</summary>
    internal const int Close = 3, Socket = 41, Getpid = 39, Mkdir = 83, Rmdir = 84, Ptrace = 101, Personality = 135, Mkdirat = 258, X32Bit = 0x40000000;
    internal const int PivotRoot = 155, Chroot = 161, Mount = 165, PerfEventOpen = 298, Bpf = 321;
    internal const int I386Getpid = 20;

    internal static string[] Command(string script) => [SandboxTools.RequireBun(), "-e", Prelude + script];

    /// <summary>The JSON object the script printed last with <c>report(...)</c>.</summary>
    internal static JsonElement Report(RunResult result)
    {
        var line = ReportLine(result);
        Assert.IsNotNull(line, $"The bun probe printed no report: {result}");
        return JsonDocument.Parse(line).RootElement;
    }

    /// <summary>Whether the script got as far as its report.</summary>
    internal static bool Reported(RunResult result) => ReportLine(result) is not null;

    private static string? ReportLine(RunResult result) =>
        result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault(l => l.StartsWith('{'));
}
