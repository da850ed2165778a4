using System.ComponentModel;
using System.Diagnostics;

namespace CapaKit.Tool.Bun;

/// <summary>What one npm run printed and how it ended.</summary>
internal sealed record NpmResult(int ExitCode, string StandardOutput, string StandardError);

/// <summary>Runs the user's npm (so their registry, proxy and CA settings apply) with an argument list, never a shell line.</summary>
internal sealed class NpmClient(string executable, IReadOnlyDictionary<string, string?>? environment)
{
    internal string Executable { get; } = executable;

    /// <summary>The npm on the given PATH, or a clear error naming how to get one.</summary>
    internal static NpmClient Locate(IReadOnlyDictionary<string, string?> environment, bool environmentIsExplicit)
    {
        var npm = ExecutableSearch.Find("npm", environment.Get("PATH"));
        return npm is null
            ? throw new CapaKitException(ExitCodes.MissingPrerequisite, NpmMissingMessage)
            : new NpmClient(npm, environmentIsExplicit ? environment : null);
    }

    internal static string NpmMissingMessage => OperatingSystem.IsMacOS()
        ? "npm was not found on PATH, and CapaKit installs Bun with it; install Node.js and npm: brew install node."
        : "npm was not found on PATH, and CapaKit installs Bun with it; install Node.js and npm: sudo apt-get install npm.";

    /// <summary>
    /// <c>npm install --prefix &lt;prefix&gt; --no-save --ignore-scripts ...</c>: npm fetches the tarballs and checks their
    /// sha512 against the registry's; no package script runs (the bun package's postinstall would download on its own).
    /// </summary>
    internal Task<NpmResult> InstallAsync(string prefix, IEnumerable<string> packages, CancellationToken ct)
    {
        string[] options =
        [
            "install", "--prefix", prefix, "--no-save", "--ignore-scripts", "--no-audit", "--no-fund",
            // We name the platform package ourselves, so bun's other optional platform binaries (40 MB each) are not wanted.
            "--omit=optional",
            "--update-notifier=false",
        ];
        return RunAsync([.. options, .. packages], prefix, ct);
    }

    private async Task<NpmResult> RunAsync(IReadOnlyList<string> arguments, string workingDirectory, CancellationToken ct)
    {
        var start = new ProcessStartInfo(Executable)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            // Not the user's project folder: an .npmrc or package.json there must not steer this install.
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        if (environment is not null)
        {
            start.Environment.Clear();
            foreach (var (name, value) in environment)
            {
                start.Environment[name] = value;
            }
        }

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception)
        {
            throw new CapaKitException(ExitCodes.MissingPrerequisite, NpmMissingMessage);
        }
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            await process.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            // npm spawns node children; leave none behind writing into the staging folder.
            process.Kill(entireProcessTree: true);
            throw;
        }
        return new NpmResult(process.ExitCode, await stdout, await stderr);
    }
}
