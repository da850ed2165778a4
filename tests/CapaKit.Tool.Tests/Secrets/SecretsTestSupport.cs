using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using CapaKit.Bundle;
using CapaKit.Tool.Secrets;
using CapaKit.Tool.Tests.Support;
using Microsoft.Extensions.Logging;

namespace CapaKit.Tool.Tests.Secrets;

/// <summary>A temp folder per test (a fake HOME, socket folders), deleted afterwards.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        // Short: unix socket paths must stay under 108 bytes.
        Path = System.IO.Path.Combine("/tmp", "cks-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public string Path { get; }

    /// <summary>The user-secrets root a process with HOME=<see cref="Path"/> uses.</summary>
    public string UserSecretsRoot => UserSecretsPaths.Root(name => name == "HOME" ? Path : null);

    public string File(string name) => System.IO.Path.Combine(Path, name);

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

/// <summary>Captures every log line (formatted message and structured values) so tests can check what was said and what never was.</summary>
internal sealed class CapturingLogger : ILogger
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Lines => [.. _lines];

    public string All => string.Join("\n", _lines);

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
        _lines.Enqueue($"{logLevel}: {formatter(state, exception)} | {values} | {exception}");
    }
}

/// <summary>An in-memory secret source.</summary>
internal sealed class FakeSecrets(Dictionary<string, string> values) : ISecretSource
{
    public bool TryGet(string name, out string value)
    {
        if (values.TryGetValue(name, out var found))
        {
            value = found;
            return true;
        }
        value = "";
        return false;
    }
}

/// <summary>HttpClient that talks HTTP/1.1 to a unix socket.</summary>
internal static class UnixHttp
{
    public static HttpClient Client(string socketPath) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (_, ct) =>
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    })
    {
        BaseAddress = new Uri("http://localhost"),
        Timeout = TimeSpan.FromSeconds(30),
    };
}

/// <summary>Small Kit models for tests that need a bundle but no build.</summary>
internal static class Bundles
{
    public static KitBundle Kit(Dictionary<string, string?> secrets, params (string Workload, string[] Secrets)[] workloads) => new()
    {
        CompilerVersion = "test",
        Kit = new KitInfo { Name = "demo", Directory = "/tmp/demo", ManifestFile = "/tmp/demo/capability.yml", UserSecretsId = "demo-id" },
        Secrets = new SortedDictionary<string, SecretModel>(secrets.ToDictionary(s => s.Key, s => new SecretModel { Description = s.Value }), StringComparer.Ordinal),
        Workloads = new SortedDictionary<string, WorkloadModel>(workloads.ToDictionary(w => w.Workload, w => new WorkloadModel
        {
            Name = w.Workload,
            Root = "workloads/" + w.Workload,
            Toolchain = "bun",
            Secrets = [.. w.Secrets],
            Identity = new WorkloadIdentityModel { SpiffeId = "spiffe://demo.capakit.local/" + w.Workload, Certificate = "c", Key = "k" },
        }), StringComparer.Ordinal),
        Identity = new IdentityModel { TrustDomain = "demo.capakit.local", CaCertificate = "ca" },
    };
}

/// <summary>Runs a program to completion with exactly the environment given (plus PATH), capturing its output.</summary>
internal static class Processes
{
    public static ToolResult Run(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string> environment,
        string? workingDirectory = null, string? standardInput = null, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment.Clear();
        start.Environment["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        foreach (var (name, value) in environment) start.Environment[name] = value;

        using var process = Process.Start(start)!;
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (standardInput is not null) process.StandardInput.Write(standardInput);
        process.StandardInput.Close();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Assert.Fail($"{file} {string.Join(' ', args)} did not finish in time:\n{stdout}\n{stderr}");
        }
        process.WaitForExit();
        return new ToolResult(process.ExitCode, stdout.ToString(), stderr.ToString());
    }

    /// <summary>`dotnet &lt;args&gt;` with HOME (and the CLI's own home) set to <paramref name="home"/>.</summary>
    public static ToolResult Dotnet(string home, IEnumerable<string> args, string? workingDirectory = null, string? standardInput = null) =>
        Run(DotnetPath, args, DotnetEnvironment(home), workingDirectory, standardInput);

    /// <summary>The built `dotnet capakit` with HOME=<paramref name="home"/> (ToolProcess pins HOME, so this runs it directly).</summary>
    public static ToolResult Capakit(string home, string workingDirectory, IEnumerable<string> args, string? standardInput = null) =>
        Run(DotnetPath, [ToolProcess.ToolDll, .. args], DotnetEnvironment(home), workingDirectory, standardInput);

    private static string DotnetPath =>
        Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "/usr/bin/dotnet";

    private static Dictionary<string, string> DotnetEnvironment(string home) => new()
    {
        ["HOME"] = home,
        ["DOTNET_CLI_HOME"] = home,
        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        ["DOTNET_NOLOGO"] = "1",
        ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
        ["MSBUILDDISABLENODEREUSE"] = "1",
        ["CAPAKIT_BUN"] = TestMachine.Bun,
    };
}
