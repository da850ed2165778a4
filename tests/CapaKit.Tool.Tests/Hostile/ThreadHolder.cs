using System.Diagnostics;
using CapaKit.Tool.Tests.Support;

namespace CapaKit.Tool.Tests.Hostile;

/// <summary>
/// A host process of one identity holding many threads, as a user's IDE or browser does: RLIMIT_NPROC counts every
/// thread of the user, so a fixed limit fails such a user's sandboxes. A Bun script starts the threads with
/// pthread_create (each blocks reading a pipe nobody writes), reports once they all exist, and exits when its
/// standard input closes: the test waits on that report, never on a clock.
/// </summary>
internal sealed class ThreadHolder : IDisposable
{
    private readonly Process _process;

    private ThreadHolder(Process process, int threads)
    {
        _process = process;
        Threads = threads;
    }

    /// <summary>The threads the holder process has, its own included, as it counted them in /proc/self/task.</summary>
    public int Threads { get; }

    public static ThreadHolder Start(RunAs who, int threads)
    {
        // Each thread runs read(fd, buffer below its stack pointer, 1) on the pipe's read end, passed as its argument:
        // xor eax,eax; lea rsi,[rsp-16]; mov edx,1; syscall; ret
        var script = $$"""
            const { dlopen, toArrayBuffer, ptr } = require("bun:ffi");
            const libc = dlopen("libc.so.6", {
              mmap: { args: ["ptr", "u64", "i32", "i32", "i32", "i64"], returns: "ptr" },
              pipe: { args: ["ptr"], returns: "i32" },
              pthread_attr_init: { args: ["ptr"], returns: "i32" },
              pthread_attr_setstacksize: { args: ["ptr", "u64"], returns: "i32" },
              pthread_create: { args: ["ptr", "ptr", "ptr", "ptr"], returns: "i32" },
            });
            const fds = new Int32Array(new ArrayBuffer(8));
            if (libc.symbols.pipe(ptr(fds)) !== 0) { console.log("FAILED pipe"); process.exit(1); }
            const page = libc.symbols.mmap(null, 4096, 7, 0x22, -1, 0);
            new Uint8Array(toArrayBuffer(page, 0, 4096)).set([0x31, 0xc0, 0x48, 0x8d, 0x74, 0x24, 0xf0, 0xba, 1, 0, 0, 0, 0x0f, 0x05, 0xc3]);
            const attr = new Uint8Array(new ArrayBuffer(64));
            libc.symbols.pthread_attr_init(ptr(attr));
            libc.symbols.pthread_attr_setstacksize(ptr(attr), 65536);
            const id = new BigUint64Array(new ArrayBuffer(8));
            for (let i = 0; i < {{threads}}; i++) {
              const rc = libc.symbols.pthread_create(ptr(id), ptr(attr), page, fds[0]);
              if (rc !== 0) { console.log(`FAILED thread ${i}: ${rc}`); process.exit(1); }
            }
            console.log(`READY ${require("fs").readdirSync("/proc/self/task").length}`);
            process.stdin.on("end", () => process.exit(0));
            process.stdin.resume();
            """;
        var start = who == RunAs.User
            ? new ProcessStartInfo("/usr/bin/setpriv") { ArgumentList = { $"--reuid={TestMachine.UserName}", $"--regid={TestMachine.UserName}", "--clear-groups", "--", TestMachine.Bun } }
            : new ProcessStartInfo(TestMachine.Bun);
        start.ArgumentList.Add("-e");
        start.ArgumentList.Add(script);
        start.UseShellExecute = false;
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.Environment["HOME"] = who == RunAs.User ? TestMachine.UserHome : Environment.GetEnvironmentVariable("HOME") ?? "/root";
        var process = Process.Start(start)!;
        var line = process.StandardOutput.ReadLineAsync();
        if (!line.Wait(TimeSpan.FromSeconds(60)) || line.Result is not { } report || !report.StartsWith("READY ", StringComparison.Ordinal))
        {
            process.Kill();
            process.Dispose();
            Assert.Fail($"The thread holder did not get its {threads} threads: {(line.IsCompleted ? line.Result : "no answer within 60 s")}");
            throw new UnreachableException();
        }
        return new ThreadHolder(process, int.Parse(report["READY ".Length..]));
    }

    /// <summary>Closes its input, so it exits; killed if it does not.</summary>
    public void Dispose()
    {
        _process.StandardInput.Close();
        if (!_process.WaitForExit(TimeSpan.FromSeconds(10)))
        {
            _process.Kill();
            _process.WaitForExit();
        }
        _process.Dispose();
    }
}
