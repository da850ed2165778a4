using System.Diagnostics;
using CapaKit.Tool.Bun;

namespace CapaKit.Tool.Tests.Support;

/// <summary>
/// Machine-wide setup for the runtime tests, done once: the CapaKit.Sdk package feed, a Bun everyone can
/// run, and an ordinary (non-root) user for the unprivileged runs.
/// </summary>
[TestClass]
public static class TestMachine
{
    public const string UserName = "capakit-test";

    public static string Root { get; } = Path.Combine(Path.GetTempPath(), "capakit-tool-tests-" + Guid.NewGuid().ToString("N")[..8]);
    public static string RepoRoot { get; private set; } = "";
    public static string Feed => Path.Combine(Root, "feed");
    public static string Packages => Path.Combine(Root, "packages");
    public static string SdkVersion { get; private set; } = "";
    public static string Bun { get; private set; } = "";
    public static string UserHome => Path.Combine(Root, "home");

    [AssemblyInitialize]
    public static void Initialize(TestContext _)
    {
        RepoRoot = CapaKit.Testing.RepoRoot.Path;
        Directory.CreateDirectory(Feed);
        var package = Directory.EnumerateFiles(Path.Combine(RepoRoot, "artifacts", "packages"), "CapaKit.Sdk.*.nupkg").OrderByDescending(File.GetLastWriteTimeUtc).First();
        SdkVersion = Path.GetFileNameWithoutExtension(package)["CapaKit.Sdk.".Length..];
        File.Copy(package, Path.Combine(Feed, Path.GetFileName(package)));

        // A Bun in a folder every user can read (root's own cache is private) and that is not under /tmp, which
        // some sandbox tests replace with a private tmpfs; kept beside the tests so later runs reuse it.
        var bunCache = Path.Combine(AppContext.BaseDirectory, "bun-cache");
        Bun = new BunProvisioner().EnsureAsync(bunCache).GetAwaiter().GetResult().Executable;

        EnsureUser();
        Directory.CreateDirectory(UserHome);
        Run("chown", $"{UserName}:{UserName}", UserHome);
        // Everything under Root must be reachable by the test user (kits are chowned per test).
        Run("chmod", "755", Root);
    }

    [AssemblyCleanup]
    public static void Cleanup()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    public static void Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed: {output}");
        }
    }

    private static void EnsureUser()
    {
        if (Environment.UserName != "root")
        {
            throw new InvalidOperationException("The runtime suite runs as root so it can also run every sandbox case as an ordinary user; run it with sudo or in CI.");
        }
        var exists = File.ReadAllLines("/etc/passwd").Any(l => l.StartsWith(UserName + ":", StringComparison.Ordinal));
        if (!exists)
        {
            Run("/usr/sbin/useradd", "--system", "--user-group", "--no-create-home", "--shell", "/usr/sbin/nologin", UserName);
        }
    }
}
