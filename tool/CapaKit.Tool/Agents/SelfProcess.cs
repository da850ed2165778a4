using System.Diagnostics;

namespace CapaKit.Tool.Agents;

/// <summary>What one run of `dotnet capakit ...` as a child process returned.</summary>
public sealed record SelfProcessResult(int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>The tool's own one-sentence failure (its last "error: " line), or a fallback naming the exit code.</summary>
    public string ErrorMessage
    {
        get
        {
            var lines = StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var error = lines.LastOrDefault(l => l.StartsWith("error: ", StringComparison.Ordinal));
            return error?["error: ".Length..] ?? lines.LastOrDefault() ?? $"dotnet capakit exited with code {ExitCode}.";
        }
    }
}

/// <summary>
/// Runs this same tool binary as a child process. The MCP server uses it for every Kit operation so that the
/// commands keep one code path and nothing they print can reach the server's stdout (the protocol stream).
/// </summary>
public static class SelfProcess
{
    public static async Task<SelfProcessResult> RunAsync(IEnumerable<string> args, CancellationToken ct)
    {
        var self = Environment.ProcessPath!;
        var start = new ProcessStartInfo(self)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Environment.CurrentDirectory,
        };
        // Under `dotnet dotnet-capakit.dll` the process is dotnet itself: name the tool's dll, as `up -d` does.
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(typeof(SelfProcess).Assembly.Location);
        }
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start) ?? throw new CapaKitException(ExitCodes.Tool, "Could not start dotnet capakit.");
        process.StandardInput.Close();
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync(ct);
            var stderr = process.StandardError.ReadToEndAsync(ct);
            await process.WaitForExitAsync(ct);
            return new SelfProcessResult(process.ExitCode, await stdout, await stderr);
        }
        catch (OperationCanceledException)
        {
            // The agent cancelled the call: the command (and its sandbox) must not outlive it.
            process.Kill(entireProcessTree: true);
            throw;
        }
    }
}
