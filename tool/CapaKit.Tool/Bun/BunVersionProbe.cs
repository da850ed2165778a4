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

    /// <summary>Runs the file with <c>--version</c>; a crash, a non-zero exit or empty output is a failure, never an exception.</summary>
    internal static BunVersionProbe Run(string executable)
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
