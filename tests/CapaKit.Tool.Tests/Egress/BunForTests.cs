namespace CapaKit.Tool.Tests.Egress;

/// <summary>The Bun the relay tests run: the one the suite provisioned from the npm registry (TestMachine), so a fresh machine needs no Bun installed.</summary>
internal static class BunForTests
{
    public static string Executable => CapaKit.Tool.Tests.Support.TestMachine.Bun;
}
