using System.Collections;
using System.Collections.Concurrent;
using System.Diagnostics;

namespace CapaKit.Tool.Tests.Bun;

/// <summary>Temp folders, fake executables and environment dictionaries for the Bun tests (the process environment is never mutated).</summary>
internal static class BunTestFiles
{
    internal static string NewTempDirectory()
    {
        var path = Path.Combine(Path.GetTempPath(), $"capakit-bun-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }

    internal static void DeleteQuietly(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Temp leftovers do not fail a test.
        }
    }

    /// <summary>A shell script that behaves like <c>bun --version</c>.</summary>
    internal static string WriteFakeBun(string directory, string version, string name = "bun", int exitCode = 0)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, $"#!/bin/sh\necho {version}\nexit {exitCode}\n");
        SetMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    /// <summary>Bun runs workloads on Linux and macOS only; the guard keeps the platform analyzer satisfied.</summary>
    internal static void SetMode(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }
    }

    internal static Dictionary<string, string?> ProcessEnvironment()
    {
        var copy = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            copy[(string)entry.Key] = entry.Value as string;
        }
        return copy;
    }

    internal static (int ExitCode, string Output) Run(string executable, params string[] arguments)
    {
        var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output + stderr.Result);
    }
}

/// <summary>Collects progress lines synchronously (<see cref="Progress{T}"/> would post them later, on the thread pool).</summary>
internal sealed class RecordingProgress : IProgress<string>
{
    private readonly ConcurrentQueue<string> lines = new();

    public IReadOnlyList<string> Lines => [.. lines];

    public void Report(string value) => lines.Enqueue(value);

    public int Count(string fragment) => Lines.Count(l => l.Contains(fragment, StringComparison.Ordinal));
}
