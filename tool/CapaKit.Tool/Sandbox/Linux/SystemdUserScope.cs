using System.Diagnostics;
using System.Net.Sockets;
using CapaKit.Bundle;

namespace CapaKit.Tool.Sandbox.Linux;

/// <summary>
/// A pids (and memory) cgroup for an ordinary user on a systemd machine whose own cgroup delegates none: a transient
/// scope under the user's systemd manager (<c>systemd-run --user --scope -p TasksMax=N</c>), which runs the rest of the
/// command line in place. Used only when a user manager is running and a probe scope showed its TasksMax really
/// applied (a manager without the pids controller would accept the property and enforce nothing); the answer is
/// probed once per tool process.
/// </summary>
internal sealed class SystemdUserScope
{
    public const string SystemdRun = "/usr/bin/systemd-run";

    /// <summary>The limit the probe asks for and expects to read back from its scope's pids.max.</summary>
    internal const int ProbeTasksMax = 8;

    private static readonly Lazy<(SystemdUserScope? Scope, string Reason)> Probed = new(Probe, LazyThreadSafetyMode.ExecutionAndPublication);

    private SystemdUserScope(string runtimeDirectory) => RuntimeDirectory = runtimeDirectory;

    /// <summary>The user's XDG_RUNTIME_DIR, where systemd-run finds the manager's private socket.</summary>
    public string RuntimeDirectory { get; }

    /// <summary>The environment systemd-run needs (the launcher starts it with almost none).</summary>
    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string> { ["XDG_RUNTIME_DIR"] = RuntimeDirectory };

    /// <summary>The scope this user's manager gives, or null with the reason there is none.</summary>
    public static SystemdUserScope? Available(out string reason)
    {
        var (scope, why) = Probed.Value;
        reason = why;
        return scope;
    }

    /// <summary>systemd-run's arguments up to the command it runs in the new scope.</summary>
    public static IReadOnlyList<string> Command(ResourceLimits limits)
    {
        var command = new List<string> { SystemdRun, "--user", "--scope", "--quiet", "--collect", "-p", $"TasksMax={limits.PidsMax}" };
        if (limits.MemoryMaxBytes > 0)
        {
            command.AddRange(["-p", $"MemoryMax={limits.MemoryMaxBytes}"]);
        }
        command.Add("--");
        return command;
    }

    /// <summary>Whether the probe scope's own pids.max (what it printed) is the TasksMax it asked for.</summary>
    internal static bool ProbeShowsLimit(string output) => output.Trim() == ProbeTasksMax.ToString();

    private static (SystemdUserScope?, string) Probe()
    {
        if (!File.Exists(SystemdRun))
        {
            return (null, "systemd-run is not installed");
        }
        var runtime = System.Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        if (string.IsNullOrEmpty(runtime) || !ManagerListens(Path.Combine(runtime, "systemd", "private")))
        {
            return (null, "no systemd user manager runs for this user");
        }
        var scope = new SystemdUserScope(runtime);
        // The scope reads its own group's pids.max: proof that TasksMax reached a pids controller.
        var start = new ProcessStartInfo(SystemdRun) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in Command(new ResourceLimits { PidsMax = ProbeTasksMax }).Concat(
                     ["/bin/sh", "-c", "cat \"/sys/fs/cgroup$(sed -n 's/^0:://p' /proc/self/cgroup)/pids.max\""]))
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment.Clear();
        start.Environment["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin";
        start.Environment["XDG_RUNTIME_DIR"] = runtime;
        try
        {
            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                process.Kill(entireProcessTree: true);
                return (null, "a probe user scope did not finish within 10 s");
            }
            return process.ExitCode == 0 && ProbeShowsLimit(output.Result)
                ? (scope, "")
                : (null, $"the user manager's scopes get no pids limit ({(error.Result + output.Result).Trim()})");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (null, $"systemd-run failed to start: {e.Message}");
        }
    }

    /// <summary>Whether something accepts connections on the manager's private socket (a stale file does not).</summary>
    private static bool ManagerListens(string socketPath)
    {
        if (!File.Exists(socketPath))
        {
            return false;
        }
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            socket.Connect(new UnixDomainSocketEndPoint(socketPath));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
