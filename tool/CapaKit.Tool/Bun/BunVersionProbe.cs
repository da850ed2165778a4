using System.ComponentModel;
using System.Diagnostics;

namespace CapaKit.Tool.Bun;

/// <summary>What <c>bun --version</c> said, or why it said nothing useful.</summary>
internal sealed record BunVersionProbe(string? Version, string Problem)
{
    /// <summary>A cold 100 MB binary on a slow disk can take a few seconds to start; a hung one must not block the tool.</summary>
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    /// <summary>ETXTBSY: another thread forked while a just-written file was still open for writing; it clears within milliseconds.</summary>
    private const int TextFileBusy = 26;

    internal bool Succeeded => Version is not null;

    /// <summary>
    /// Like <see cref="RunUncached"/>, but remembers a success for the same file (path, size, modification time),
    /// so a command does not pay a process start to re-check the Bun it checked last time.
    /// </summary>
    internal static BunVersionProbe Run(string executable)
    {
        var memo = MemoFile(executable);
        string? key = null;
        try
        {
            var info = new FileInfo(executable);
            key = $"{info.FullName}\n{info.Length}\n{info.LastWriteTimeUtc.Ticks}\n";
            if (memo is not null && File.Exists(memo))
            {
                var text = File.ReadAllText(memo);
                if (text.StartsWith(key, StringComparison.Ordinal) && text[key.Length..].Trim() is { Length: > 0 } version)
                {
                    return new BunVersionProbe(version, "");
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        var probe = RunUncached(executable);
        if (probe.Succeeded && memo is not null && key is not null)
        {
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(memo)!);
                var temp = memo + "." + Environment.ProcessId + ".tmp";
                File.WriteAllText(temp, key + probe.Version + "\n");
                File.Move(temp, memo, overwrite: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return probe;
    }

    private static string? MemoFile(string executable)
    {
        var cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg ? xdg
            : Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } home ? Path.Combine(home, ".cache") : null;
        if (cache is null)
        {
            return null;
        }
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Path.GetFullPath(executable))))[..16];
        return Path.Combine(cache, "capakit", "bun-probes", hash);
    }

    /// <summary>Runs the file with <c>--version</c>; a crash, a non-zero exit or empty output is a failure, never an exception.</summary>
    internal static BunVersionProbe RunUncached(string executable)
    {
        var start = new ProcessStartInfo(executable)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        start.ArgumentList.Add("--version");

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var process = Process.Start(start);
                if (process is null)
                {
                    return Failed("it could not be started");
                }
                process.StandardInput.Close();
                var stdout = process.StandardOutput.ReadToEndAsync();
                var stderr = process.StandardError.ReadToEndAsync();
                if (!process.WaitForExit(Limit))
                {
                    process.Kill(entireProcessTree: true);
                    return Failed($"'--version' did not finish within {Limit.TotalSeconds:0} seconds");
                }
                var version = stdout.GetAwaiter().GetResult().Split('\n')[0].Trim();
                if (process.ExitCode != 0)
                {
                    var detail = stderr.GetAwaiter().GetResult().Trim();
                    return Failed($"'--version' exited with code {process.ExitCode}{(detail.Length > 0 ? $" ({FirstLine(detail)})" : "")}");
                }
                return version.Length > 0 ? new BunVersionProbe(version, "") : Failed("'--version' printed nothing");
            }
            catch (Win32Exception e) when (e.NativeErrorCode == TextFileBusy && attempt < 5)
            {
                Thread.Sleep(50 * attempt);
            }
            catch (Win32Exception e)
            {
                return Failed($"it could not be started ({e.Message})");
            }
        }
    }

    private static BunVersionProbe Failed(string problem) => new(null, problem);

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();
}
