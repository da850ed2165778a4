using System.Diagnostics;
using System.Text;

namespace CapaKit.Tool.Tests.Support;

public sealed record ToolResult(int ExitCode, string StandardOutput, string StandardError)
{
    public string All => StandardOutput + StandardError;

    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{StandardOutput}\n--- stderr ---\n{StandardError}";
}

/// <summary>Who runs the tool: root (the test host) or an ordinary user created for the suite.</summary>
public enum RunAs
{
    Root,
    User,
}

/// <summary>Runs the built `dotnet capakit` (dotnet-capakit.dll) as a real process, as root or as the test user.</summary>
public static class ToolProcess
{
    public static string ToolDll { get; } = Path.Combine(AppContext.BaseDirectory, "dotnet-capakit.dll");

    public static ToolResult Run(RunAs who, string workingDirectory, IEnumerable<string> args,
        IReadOnlyDictionary<string, string>? environment = null, string? standardInput = null, TimeSpan? timeout = null)
    {
        var dotnet = Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "/usr/bin/dotnet";
        var start = new ProcessStartInfo
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        var env = new Dictionary<string, string>
        {
            ["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
            ["CAPAKIT_BUN"] = TestMachine.Bun,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            env[name] = value;
        }
        start.Environment.Clear();
        if (who == RunAs.User)
        {
            // runuser drops to the test user; env(1) sets exactly the variables we choose.
            env["HOME"] = TestMachine.UserHome;
            env["DOTNET_CLI_HOME"] = TestMachine.UserHome;
            start.FileName = "/usr/sbin/runuser";
            foreach (var arg in new[] { "-u", TestMachine.UserName, "--", "/usr/bin/env", "-i" })
            {
                start.ArgumentList.Add(arg);
            }
            foreach (var (name, value) in env)
            {
                start.ArgumentList.Add($"{name}={value}");
            }
            start.ArgumentList.Add(dotnet);
        }
        else
        {
            env["HOME"] = Environment.GetEnvironmentVariable("HOME") ?? "/root";
            foreach (var (name, value) in env)
            {
                start.Environment[name] = value;
            }
            start.FileName = dotnet;
        }
        start.ArgumentList.Add(ToolDll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
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
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Assert.Fail($"capakit {string.Join(' ', args)} did not finish in time:\n{stdout}\n{stderr}");
        }
        process.WaitForExit();
        return new ToolResult(process.ExitCode, stdout.ToString(), stderr.ToString());
    }
}
