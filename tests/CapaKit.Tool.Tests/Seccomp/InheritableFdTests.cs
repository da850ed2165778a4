using System.Diagnostics;
using System.Text.RegularExpressions;
using CapaKit.Bundle;
using CapaKit.Tool.Sandbox.Linux.Seccomp;
using Microsoft.Win32.SafeHandles;

namespace CapaKit.Tool.Tests.Seccomp;

/// <summary>How the compiled program travels to bwrap: an fd .NET's Process.Start passes on, which nobody can alter.</summary>
[TestClass]
public sealed partial class InheritableFdTests
{
    private const int OCloexec = 0x80000; // 02000000 octal, as /proc/PID/fdinfo prints flags

    [TestMethod]
    public void Fd_IsNotCloseOnExec_AndStartsAtOffsetZero()
    {
        using var program = SeccompProgram.Compile(new SeccompPolicy { Rules = [new() { Syscall = "mkdir" }] });
        using var fd = new SafeFileHandle(program.CreateInheritableFd(), ownsHandle: true);

        var info = File.ReadAllText($"/proc/self/fdinfo/{fd.DangerousGetHandle()}");

        Assert.AreEqual(0, Convert.ToInt32(Field(info, "flags"), 8) & OCloexec, info);
        Assert.AreEqual("0", Field(info, "pos"), info);
    }

    /// <summary>A plain child started by Process.Start reads the program through the inherited number.</summary>
    [TestMethod]
    public void ProcessStart_PassesTheFdToTheChild()
    {
        using var program = SeccompProgram.Compile(new SeccompPolicy { Rules = [new() { Syscall = "mkdir" }] });
        using var fd = new SafeFileHandle(program.CreateInheritableFd(), ownsHandle: true);
        // /proc/self in cat is cat's own table: the file is there only if the fd was inherited.
        var start = new ProcessStartInfo("/bin/cat", [$"/proc/self/fd/{fd.DangerousGetHandle()}"]) { RedirectStandardOutput = true };

        using var process = Process.Start(start)!;
        using var content = new MemoryStream();
        process.StandardOutput.BaseStream.CopyTo(content);
        process.WaitForExit();

        Assert.AreEqual(0, process.ExitCode);
        CollectionAssert.AreEqual(program.Bpf.ToArray(), content.ToArray());
    }

    /// <summary>Sealed: whoever inherits the fd (bwrap, or a sibling spawned meanwhile) cannot rewrite the filter.</summary>
    [TestMethod]
    public void Fd_ContentIsSealedAgainstWrites()
    {
        using var program = SeccompProgram.Compile(new SeccompPolicy { Rules = [new() { Syscall = "mkdir" }] });
        using var fd = new SafeFileHandle(program.CreateInheritableFd(), ownsHandle: true);

        // F_SEAL_WRITE and F_SEAL_SHRINK: the kernel answers EPERM, which .NET reports as access denied.
        Assert.ThrowsExactly<UnauthorizedAccessException>(() => RandomAccess.Write(fd, new byte[8], 0));
        Assert.ThrowsExactly<UnauthorizedAccessException>(() => RandomAccess.SetLength(fd, 0));

        CollectionAssert.AreEqual(program.Bpf.ToArray(), File.ReadAllBytes($"/proc/self/fd/{fd.DangerousGetHandle()}"));
    }

    /// <summary>bwrap reads the program and closes its copy: the workload does not inherit the filter's fd.</summary>
    [TestMethod]
    public void Workload_DoesNotInheritTheFd()
    {
        using var filter = SeccompProgram.Compile(new SeccompPolicy { Rules = [new() { Syscall = "mkdir" }] });

        var result = BwrapRunner.Run(filter, ["/bin/ls", "-l", "/proc/self/fd/"]);

        Assert.AreEqual(0, result.ExitCode, $"{result}");
        Assert.DoesNotMatchRegex(new Regex($@"\s{result.SeccompFd} -> "), result.Stdout, $"{result}");
    }

    private static string Field(string fdinfo, string name) =>
        FieldPattern().Matches(fdinfo).First(m => m.Groups[1].Value == name).Groups[2].Value;

    [GeneratedRegex(@"^(\w+):\s+(\S+)", RegexOptions.Multiline)]
    private static partial Regex FieldPattern();
}
