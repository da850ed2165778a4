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

    /// <summary>The Bun the suite provisioned from the npm registry (TestMachine), so a fresh machine needs no Bun installed.</summary>
    internal static string RequireBun() => CapaKit.Tool.Tests.Support.TestMachine.Bun;
}
