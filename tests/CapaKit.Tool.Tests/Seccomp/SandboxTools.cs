namespace CapaKit.Tool.Tests.Seccomp;

/// <summary>Finds the real tools these tests run; a missing one fails the test with what to install, never skips it.</summary>
internal static class SandboxTools
{
    internal const string Bwrap = "/usr/bin/bwrap";

    internal static string RequireBwrap()
    {
        if (!File.Exists(Bwrap))
        {
            Assert.Fail($"bubblewrap is missing at {Bwrap}; install it: sudo apt-get install bubblewrap");
        }
        return Bwrap;
    }

    internal static string RequireBun()
    {
        var candidates = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "bun"))
            .Append("/usr/local/bin/bun")
            .Append(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".bun", "bin", "bun"));
        var bun = candidates.FirstOrDefault(File.Exists);
        if (bun is null)
        {
            Assert.Fail("bun is missing (not on PATH, /usr/local/bin or ~/.bun/bin); install it: npm i -g bun");
        }
        // The sandbox binds / read-only at the same paths, so the resolved binary is reachable inside.
        return new FileInfo(bun).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? bun;
    }
}
