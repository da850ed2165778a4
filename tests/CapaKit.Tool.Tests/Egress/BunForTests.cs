using System.Diagnostics;

namespace CapaKit.Tool.Tests.Egress;

/// <summary>Finds the bun executable the relay tests run; fails with how to install it when there is none.</summary>
internal static class BunForTests
{
    public static string Executable { get; } = Find();

    private static string Find()
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var candidates = new List<string> { "/usr/local/bin/bun", Path.Combine(home, ".bun", "bin", "bun") };
        candidates.AddRange((Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, "bun")));
        if (NpmGlobalRoot() is { } npmRoot)
        {
            // `npm i -g bun` puts the real binary here and only links it into npm's bin folder.
            candidates.Add(Path.Combine(npmRoot, "bun", "bin", "bun.exe"));
            candidates.Add(Path.Combine(npmRoot, "bun", "bin", "bun"));
        }

        return candidates.FirstOrDefault(File.Exists)
            ?? throw new AssertFailedException("The relay tests need bun, and none was found on PATH, in /usr/local/bin or in ~/.bun/bin; install it with `npm install -g bun`.");
    }

    private static string? NpmGlobalRoot()
    {
        try
        {
            using var npm = Process.Start(new ProcessStartInfo("npm", "root -g") { RedirectStandardOutput = true, RedirectStandardError = true });
            if (npm is null)
            {
                return null;
            }

            var root = npm.StandardOutput.ReadToEnd().Trim();
            npm.WaitForExit();
            return npm.ExitCode == 0 && root.Length > 0 ? root : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
