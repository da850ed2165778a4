using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using CapaKit.Tool.Kits;
using CapaKit.Tool.Runtime;
using CapaKit.Tool.Sandbox.Linux;
using CapaKit.Tool.Tests.Support;

namespace CapaKit.Tool.Tests.Runtime;

/// <summary>The Kits these tests run: copies of the repository's samples and the probe Kit under RuntimeKits/probe.</summary>
internal static class RuntimeKits
{
    /// <summary>samples/&lt;name&gt; as a TestKit: manifest and workload sources (no node_modules, no .capakit state), plus its capability-test.yml.</summary>
    /// <param name="withProject">Keep what the sample's .kitproj declares (package id, package references).</param>
    /// <param name="pack">Also pack it into the test feed (a sample other samples import).</param>
    public static TestKit Sample(string name, bool withProject = false, bool pack = false)
    {
        var source = Path.Combine(TestMachine.RepoRoot, "samples", name);
        var files = new Dictionary<string, IReadOnlyDictionary<string, string>>();
        foreach (var root in Directory.GetDirectories(Path.Combine(source, "workloads")))
        {
            files[Path.GetFileName(root)] = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
                .Where(f => !Path.GetRelativePath(root, f).Split('/').Any(part => part is "node_modules" or ".capakit"))
                .ToDictionary(f => Path.GetRelativePath(root, f), File.ReadAllText);
        }
        var projectBody = withProject
            ? string.Concat(System.Xml.Linq.XDocument.Load(Path.Combine(source, name + ".kitproj")).Root!.Elements().Select(e => e.ToString()))
            : "";
        var kit = TestKit.Create(name, File.ReadAllText(Path.Combine(source, "capability.yml")), files, projectBody: projectBody, pack: pack);
        var tests = Path.Combine(source, "capability-test.yml");
        if (File.Exists(tests))
        {
            // Newer than the build: the tool rebuilds the Kit (and compiles the tests) before it runs it.
            // (File.Copy keeps the old timestamp, and MSBuild's incremental check would then skip the bundle.)
            var copy = Path.Combine(kit.Directory, "capability-test.yml");
            File.Copy(tests, copy);
            File.SetLastWriteTimeUtc(copy, DateTime.UtcNow);
        }
        return kit;
    }

    /// <summary>The probe Kit: caller (connects to target, may resolve token), target, loner (nothing), each running probe.ts.</summary>
    /// <param name="projectBody">Elements inside its .kitproj (a package id to pack it as).</param>
    /// <param name="pack">Also pack it into the test feed, for Kits that import it.</param>
    public static TestKit Probe(string projectBody = "", bool pack = false)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "RuntimeKits", "probe");
        var files = new[] { "caller", "target", "loner" }.ToDictionary(w => w, ProbeWorkload);
        return TestKit.Create("probe", File.ReadAllText(Path.Combine(folder, "capability.yml")), files, projectBody: projectBody, pack: pack);
    }

    /// <summary>The files of a workload that runs probe.ts.</summary>
    public static IReadOnlyDictionary<string, string> ProbeWorkload(string workload) =>
        new Dictionary<string, string> { ["probe.ts"] = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "RuntimeKits", "probe", "probe.ts")) };

    /// <summary>The switchboard Kit: alpha and beta (mcp, exposed at /alpha and /beta) and model (oaic at /model), each running server.ts.</summary>
    public static TestKit Switchboard()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "RuntimeKits", "switchboard");
        var server = File.ReadAllText(Path.Combine(folder, "server.ts"));
        var files = new[] { "alpha", "beta", "model" }.ToDictionary(
            w => w, IReadOnlyDictionary<string, string> (_) => new Dictionary<string, string> { ["server.ts"] = server });
        return TestKit.Create("switchboard", File.ReadAllText(Path.Combine(folder, "capability.yml")), files);
    }

    /// <summary>Where the tool keeps this Kit's running state (the same computation the tool makes).</summary>
    public static InstancePaths Instance(TestKit kit) => new(KitProject.Locate(kit.ProjectFile, kit.Directory));
}

/// <summary>A fake HOME (so `secrets set` writes to a temp user-secrets store), deleted afterwards.</summary>
internal sealed class TempHome : IDisposable
{
    public string Path { get; } = Directory.CreateDirectory(System.IO.Path.Combine(TestMachine.Root, "home-" + Guid.NewGuid().ToString("N")[..8])).FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Runs the built `dotnet capakit` as real processes, as root, in the Kit's folder, with a chosen HOME.</summary>
internal sealed class Capakit(TestKit kit, string? home = null, IReadOnlyDictionary<string, string>? extraEnvironment = null)
{
    private static string DotnetPath =>
        Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "/usr/bin/dotnet";

    public TestKit Kit => kit;

    public ToolResult Run(params string[] args) => RunWithInput(null, args);

    public ToolResult RunWithInput(string? standardInput, params string[] args)
    {
        using var process = Process.Start(StartInfo(args))!;
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (standardInput is not null)
        {
            process.StandardInput.Write(standardInput);
        }
        process.StandardInput.Close();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Assert.Fail($"capakit {string.Join(' ', args)} did not finish in time:\n{stdout}\n{stderr}");
        }
        process.WaitForExit();
        return new ToolResult(process.ExitCode, stdout.ToString(), stderr.ToString());
    }

    /// <summary>A command that keeps running (logs -f): its output lines as they come.</summary>
    public BackgroundTool Start(params string[] args) => new(Process.Start(StartInfo(args))!);

    /// <summary>`up -d` that must succeed; returns the gateway's base URL, read from what `up` printed.</summary>
    public Uri Up(params string[] args)
    {
        var up = Run(["up", "-d", .. args]);
        Assert.AreEqual(0, up.ExitCode, up.ToString());
        var url = Regex.Match(up.All, @"http://127\.0\.0\.1:(\d+)/");
        Assert.IsTrue(url.Success, "up names the gateway URL:\n" + up);
        return new Uri(url.Value);
    }

    /// <summary>`down` in a cleanup: never throws, so the test's own failure is the one reported.</summary>
    public void Down()
    {
        try
        {
            var down = Run("down");
            if (down.ExitCode != 0)
            {
                Console.Error.WriteLine("cleanup: " + down);
            }
            var instance = RuntimeKits.Instance(kit);
            if (HostProcessTable.WaitUntilKitGone(kit, TimeSpan.FromSeconds(15)).Count > 0
                && InstanceState.Read(instance.StateFile) is { } state && state.ProjectFile == kit.ProjectFile
                && HostProcessTable.OfKit(kit).Any(p => p.StartsWith($"{state.SupervisorPid} ", StringComparison.Ordinal)))
            {
                // down did not stop it (the test failed that way): kill this Kit's supervisor; its sandboxes die with it.
                Console.Error.WriteLine($"cleanup: killing the supervisor (pid {state.SupervisorPid}) that down left running");
                Native.Kill(state.SupervisorPid, Native.SIGKILL);
            }
            // Each test Kit has a folder of its own, so its instance folder (logs, stale sockets) would pile up.
            if (HostProcessTable.WaitUntilKitGone(kit, TimeSpan.FromSeconds(15)).Count == 0 && Directory.Exists(instance.Directory))
            {
                Directory.Delete(instance.Directory, recursive: true);
            }
        }
        catch (Exception e)
        {
            Console.Error.WriteLine("cleanup: down failed: " + e);
        }
    }

    public void SetSecret(string name, string value)
    {
        var set = RunWithInput(value, "secrets", "set", name);
        Assert.AreEqual(0, set.ExitCode, set.ToString());
    }

    /// <summary>This Kit's entry in `ps --format json` (matched by its supervisor's pid), or null when ps does not list it.</summary>
    public JsonElement? Ps(int supervisorPid)
    {
        var ps = Run("ps", "--format", "json");
        Assert.AreEqual(0, ps.ExitCode, ps.ToString());
        foreach (var entry in JsonDocument.Parse(ps.StandardOutput).RootElement.EnumerateArray())
        {
            if (entry.GetProperty("pid").GetInt32() == supervisorPid)
            {
                return entry.Clone();
            }
        }
        return null;
    }

    /// <summary>This Kit's entry in `ps --format json`, matched by its gateway URL (what `up` printed).</summary>
    public JsonElement PsByGateway(Uri gateway)
    {
        var ps = Run("ps", "--format", "json");
        Assert.AreEqual(0, ps.ExitCode, ps.ToString());
        var entries = JsonDocument.Parse(ps.StandardOutput).RootElement.EnumerateArray()
            .Where(e => e.GetProperty("gateway").GetString() == gateway.ToString())
            .Select(e => e.Clone())
            .ToList();
        Assert.HasCount(1, entries, ps.StandardOutput);
        return entries[0];
    }

    private ProcessStartInfo StartInfo(string[] args)
    {
        var start = new ProcessStartInfo(DotnetPath)
        {
            WorkingDirectory = kit.Directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(ToolProcess.ToolDll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment.Clear();
        var userHome = home ?? Environment.GetEnvironmentVariable("HOME") ?? "/root";
        start.Environment["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        start.Environment["HOME"] = userHome;
        start.Environment["DOTNET_CLI_HOME"] = userHome;
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["CAPAKIT_BUN"] = TestMachine.Bun;
        foreach (var (name, value) in extraEnvironment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        return start;
    }
}

/// <summary>A tool process left running (logs -f); its output lines are collected as they arrive.</summary>
internal sealed class BackgroundTool : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();

    public BackgroundTool(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) _lines.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _lines.Enqueue("stderr: " + e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.StandardInput.Close();
    }

    public bool HasExited => _process.HasExited;

    public int Id => _process.Id;

    /// <summary>Waits for the process to end; fails after <paramref name="limit"/>. Returns its exit code.</summary>
    public int WaitForExit(TimeSpan limit)
    {
        Assert.IsTrue(_process.WaitForExit(limit), $"the tool did not exit within {limit.TotalSeconds:0} s; output so far:\n{Output}");
        _process.WaitForExit(); // drain the output events
        return _process.ExitCode;
    }

    public string Output => string.Join("\n", _lines);

    /// <summary>Polls until a line matching <paramref name="match"/> has arrived; fails with everything seen so far after the deadline.</summary>
    public string WaitForLine(Func<string, bool> match, TimeSpan limit)
    {
        var found = Poll.Until(() => _lines.FirstOrDefault(match), limit);
        Assert.IsNotNull(found, $"no matching line within {limit.TotalSeconds:0} s (exited: {_process.HasExited}); output so far:\n{Output}");
        return found;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
            _process.WaitForExit();
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
    }
}

/// <summary>Polls a condition with a deadline instead of sleeping a fixed time.</summary>
internal static class Poll
{
    public static T? Until<T>(Func<T?> probe, TimeSpan limit, TimeSpan? interval = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var value = probe();
            if (value is not null && value is not false || clock.Elapsed > limit)
            {
                return value;
            }
            Thread.Sleep(interval ?? TimeSpan.FromMilliseconds(100));
        }
    }
}

/// <summary>The host's processes as the test sees them (/proc of the host pid namespace).</summary>
internal static class HostProcessTable
{
    /// <summary>
    /// Live processes (not this test host) whose command line contains <paramref name="marker"/> or whose working
    /// directory is under <paramref name="cwdPrefix"/>, as "pid (cwd): argv".
    /// </summary>
    public static List<string> Matching(string marker, string cwdPrefix)
    {
        var found = new List<string>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId || !InstanceState.ProcessAlive(pid))
            {
                continue;
            }
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline"));
                var cwd = new FileInfo(Path.Combine(dir, "cwd")).LinkTarget ?? "";
                if (cmdline.Contains(marker, StringComparison.Ordinal) || cwd.StartsWith(cwdPrefix, StringComparison.Ordinal))
                {
                    found.Add($"{pid} ({cwd}): {cmdline.Replace('\0', ' ')}");
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // gone meanwhile
            }
        }
        return found;
    }

    /// <summary>
    /// What remains of a Kit: every process whose command line names the Kit's folder (the supervisor, bwrap) or that
    /// runs inside a workload root (the sandboxed command itself: `bun run ...` names no path). The test's own tool
    /// processes run in the Kit's folder itself, which does not count.
    /// </summary>
    public static List<string> OfKit(TestKit kit) => Matching(kit.Directory + "/", Path.Combine(kit.Directory, "workloads") + "/");

    /// <summary>Polls until no process of the Kit remains; returns what is left after the deadline (empty on success).</summary>
    public static List<string> WaitUntilKitGone(TestKit kit, TimeSpan limit)
    {
        List<string> left = [];
        Poll.Until(() => (left = OfKit(kit)).Count == 0, limit);
        return left;
    }
}

/// <summary>Plain HTTP to the gateway on 127.0.0.1.</summary>
internal static class GatewayHttp
{
    public static HttpClient Client(Uri gateway) => new(new SocketsHttpHandler { AllowAutoRedirect = false })
    {
        BaseAddress = gateway,
        Timeout = TimeSpan.FromSeconds(30),
    };

    public static JsonElement GetJson(this HttpClient client, string path)
    {
        using var response = client.GetAsync(path).GetAwaiter().GetResult();
        var body = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
        Assert.AreEqual(200, (int)response.StatusCode, $"GET {path}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }
}
