using System.Collections.Concurrent;
using System.Diagnostics;
using CapaKit.Tool.Tests.Support;

namespace CapaKit.Tool.Tests.Hostile;

/// <summary>The host's process table as the test sees it (the host pid namespace), and processes the test starts itself.</summary>
internal static class HostProcesses
{
    /// <summary>Live host processes whose command line contains <paramref name="marker"/> (zombies have an empty one).</summary>
    public static List<(int Pid, string[] Argv)> WithMarker(string marker)
    {
        var found = new List<(int, string[])>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline"));
                if (cmdline.Contains(marker, StringComparison.Ordinal))
                {
                    found.Add((pid, cmdline.Split('\0', StringSplitOptions.RemoveEmptyEntries)));
                }
            }
            catch (IOException)
            {
                // gone meanwhile
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return found;
    }

    public static int Count() => Directory.EnumerateDirectories("/proc").Count(d => int.TryParse(Path.GetFileName(d), out _));

    /// <summary>The threads of every host process whose real uid is the identity's: what the kernel counts against RLIMIT_NPROC.</summary>
    public static int ThreadsOf(RunAs who)
    {
        var uid = who == RunAs.Root ? "0" : File.ReadLines("/etc/passwd").Select(l => l.Split(':')).Single(f => f[0] == TestMachine.UserName)[2];
        var total = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out _)))
        {
            try
            {
                var fields = File.ReadLines(Path.Combine(dir, "status")).Select(l => l.Split(':', 2)).Where(f => f.Length == 2)
                    .ToDictionary(f => f[0], f => f[1].Trim());
                if (fields["Uid"].Split('\t')[0] == uid)
                {
                    total += int.Parse(fields["Threads"]);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // gone meanwhile
            }
        }
        return total;
    }

    /// <summary>Polls until no process carries the marker, or the deadline passes; returns what is left.</summary>
    public static List<(int Pid, string[] Argv)> WaitUntilGone(string marker, TimeSpan limit)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var left = WithMarker(marker);
            if (left.Count == 0 || deadline.Elapsed > limit)
            {
                return left;
            }
            Thread.Sleep(50);
        }
    }

    /// <summary>Polls until a process carries the marker (a forked child may not have exec'd yet), or the deadline passes.</summary>
    public static List<(int Pid, string[] Argv)> WaitUntilPresent(string marker, TimeSpan limit)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var found = WithMarker(marker);
            if (found.Count > 0 || deadline.Elapsed > limit)
            {
                return found;
            }
            Thread.Sleep(20);
        }
    }

    public static string Describe(IEnumerable<(int Pid, string[] Argv)> processes) =>
        string.Join("\n", processes.Select(p => $"{p.Pid}: {string.Join(' ', p.Argv)}"));

    /// <summary>`sleep 600` on the host, owned by the identity (so that only the sandbox keeps a kill from inside away from it).</summary>
    public static Process StartSleep(RunAs who)
    {
        var start = who == RunAs.User
            ? new ProcessStartInfo("/usr/bin/setpriv") { ArgumentList = { $"--reuid={TestMachine.UserName}", $"--regid={TestMachine.UserName}", "--clear-groups", "--", "/bin/sleep", "600" } }
            : new ProcessStartInfo("/bin/sleep") { ArgumentList = { "600" } };
        start.UseShellExecute = false;
        return Process.Start(start)!;
    }
}

/// <summary>
/// The real tool started in the background (ToolProcess.Run waits for it), with the same environment rules:
/// for the tests that kill it, or start it with a descriptor its caller leaked.
/// </summary>
internal sealed class BackgroundTool : IDisposable
{
    private readonly Process _process;
    private readonly BlockingCollection<string> _lines = [];
    private readonly ConcurrentQueue<string> _all = new();

    /// <param name="leakFolder">Started from a shell that opened this folder as descriptor 7 and did not close it, as a careless caller would.</param>
    public BackgroundTool(RunAs who, string workingDirectory, IEnumerable<string> args, IReadOnlyDictionary<string, string> environment, string? leakFolder = null)
    {
        var dotnet = Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "/usr/bin/dotnet";
        var env = new Dictionary<string, string>
        {
            ["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
            ["CAPAKIT_BUN"] = TestMachine.Bun,
            ["HOME"] = who == RunAs.User ? TestMachine.UserHome : Environment.GetEnvironmentVariable("HOME") ?? "/root",
        };
        if (who == RunAs.User)
        {
            env["DOTNET_CLI_HOME"] = TestMachine.UserHome;
        }
        foreach (var (name, value) in environment)
        {
            env[name] = value;
        }
        var command = new List<string>();
        if (who == RunAs.User)
        {
            command.AddRange(["/usr/sbin/runuser", "-u", TestMachine.UserName, "--"]);
        }
        command.AddRange(["/usr/bin/env", "-i", .. env.Select(kv => $"{kv.Key}={kv.Value}")]);
        if (leakFolder is not null)
        {
            command.AddRange(["/bin/sh", "-c", "exec 7<\"$0\" && exec \"$@\"", leakFolder]);
        }
        command.AddRange([dotnet, ToolProcess.ToolDll, .. args]);

        var start = new ProcessStartInfo(command[0])
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in command.Skip(1))
        {
            start.ArgumentList.Add(arg);
        }
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => Add(e.Data, "");
        _process.ErrorDataReceived += (_, e) => Add(e.Data, "stderr: ");
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        _process.StandardInput.Close();
    }

    public Process Process => _process;

    public string Output => string.Join("\n", _all);

    /// <summary>The first stdout line with this prefix, waiting at most <paramref name="limit"/>; null if none came.</summary>
    public string? WaitForLine(string prefix, TimeSpan limit)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < limit)
        {
            if (_lines.TryTake(out var line, TimeSpan.FromMilliseconds(100)) && line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return line;
            }
        }
        return null;
    }

    public bool WaitForExit(TimeSpan limit)
    {
        if (!_process.WaitForExit(limit))
        {
            return false;
        }
        _process.WaitForExit(); // drains the output
        return true;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
    }

    private void Add(string? line, string prefix)
    {
        if (line is null)
        {
            return;
        }
        _all.Enqueue(prefix + line);
        if (prefix.Length == 0)
        {
            _lines.Add(line);
        }
    }
}
