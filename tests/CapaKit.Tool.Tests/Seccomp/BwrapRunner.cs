using System.Diagnostics;
using Microsoft.Win32.SafeHandles;
using CapaKit.Tool.Sandbox.Linux.Seccomp;

namespace CapaKit.Tool.Tests.Seccomp;

internal sealed record RunResult(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>The number the filter's fd had in this process and in bwrap; null without a filter.</summary>
    internal int? SeccompFd { get; init; }

    /// <summary>bwrap passes a child killed by signal N on as exit code 128 + N.</summary>
    internal bool KilledBy(int signal) => ExitCode == 128 + signal;

    public override string ToString() => $"exit {ExitCode}; stdout: {Stdout.Trim()}; stderr: {Stderr.Trim()}";
}

/// <summary>
/// Runs a command in a bubblewrap sandbox, with or without a compiled filter handed over as <c>--seccomp FD</c>.
/// The fd reaches bwrap because <see cref="SeccompProgram.CreateInheritableFd"/> opens it without close-on-exec
/// and Process.Start closes nothing else on exec.
/// </summary>
internal static class BwrapRunner
{
    internal const int Sigsys = 31;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <param name="hostRoot">
    /// Keep the caller's root capabilities (no user namespace). As root, <c>--unshare-all</c> still creates a user
    /// namespace, where the kernel refuses device nodes on its own; without it only the filter can refuse them.
    /// </param>
    /// <param name="dropCapabilities">
    /// <c>--cap-drop ALL</c>, as the launcher does. PTRACE_TRACEME needs it: the command may not hold capabilities
    /// its parent (bwrap's init, which drops its own) lacks.
    /// </param>
    internal static RunResult Run(SeccompProgram? filter, IReadOnlyList<string> command, bool hostRoot = false, bool dropCapabilities = false)
    {
        var bwrap = SandboxTools.RequireBwrap();
        var start = new ProcessStartInfo(bwrap)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var args = hostRoot && Environment.IsPrivilegedProcess
            ? new List<string> { "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try" }
            : ["--unshare-all"];
        if (dropCapabilities) args.AddRange(["--cap-drop", "ALL"]);
        args.AddRange(["--die-with-parent", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp", "--chdir", "/tmp"]);
        // The private /tmp hides the host's; bring Bun's folder back in case the checkout (and so the suite's Bun) lives under /tmp.
        var bunFolder = Path.GetDirectoryName(SandboxTools.RequireBun())!;
        args.AddRange(["--ro-bind", bunFolder, bunFolder]);

        var fd = filter?.CreateInheritableFd();
        var seccompFdNumber = fd;
        try
        {
            if (fd is { } seccompFd) args.AddRange(["--seccomp", seccompFd.ToString()]);
            args.Add("--");
            args.AddRange(command);
            foreach (var arg in args) start.ArgumentList.Add(arg);

            using var process = Process.Start(start)!;
            // The child holds its own copy now; the parent's is closed as soon as the child has started.
            if (fd is { } started) CloseFd(started);
            fd = null;

            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(Timeout))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"The sandboxed command did not finish within {Timeout.TotalSeconds} s: {string.Join(' ', command)}");
            }
            return new RunResult(process.ExitCode, stdout.Result, stderr.Result) { SeccompFd = seccompFdNumber };
        }
        finally
        {
            if (fd is { } unused) CloseFd(unused);
        }
    }

    internal static void CloseFd(int fd) => new SafeFileHandle(fd, ownsHandle: true).Dispose();
}
