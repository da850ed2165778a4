using System.Runtime.InteropServices;
using CapaKit.Tool.Bun;

namespace CapaKit.Tool.Tests.Bun;

[TestClass]
public sealed class BunPlatformTests
{
    [TestMethod]
    [DataRow("linux", Architecture.X64, false, true, "@oven/bun-linux-x64")]
    [DataRow("linux", Architecture.X64, false, false, "@oven/bun-linux-x64-baseline")]
    [DataRow("linux", Architecture.X64, true, true, "@oven/bun-linux-x64-musl")]
    [DataRow("linux", Architecture.X64, true, false, "@oven/bun-linux-x64-musl-baseline")]
    [DataRow("linux", Architecture.Arm64, false, false, "@oven/bun-linux-aarch64")]
    [DataRow("linux", Architecture.Arm64, true, false, "@oven/bun-linux-aarch64-musl")]
    [DataRow("darwin", Architecture.Arm64, false, false, "@oven/bun-darwin-aarch64")]
    [DataRow("darwin", Architecture.X64, false, true, "@oven/bun-darwin-x64")]
    [DataRow("darwin", Architecture.X64, false, false, "@oven/bun-darwin-x64-baseline")]
    public void For_NamesBunsPlatformPackage(string os, Architecture architecture, bool musl, bool avx2, string expected)
    {
        Assert.AreEqual(expected, BunPlatform.For(os, architecture, musl, avx2).PackageName);
    }

    [TestMethod]
    public void For_RefusesPlatformsBunDoesNotShip()
    {
        var error = Assert.ThrowsExactly<CapaKitException>(() => BunPlatform.For("linux", Architecture.RiscV64, false, false));

        StringAssert.Contains(error.Message, "CAPAKIT_BUN");
    }

    [TestMethod]
    public void BinaryInPrefix_PointsIntoThePlatformPackage()
    {
        Assert.AreEqual(Path.Combine("node_modules", "@oven", "bun-linux-x64-baseline", "bin", "bun"),
            BunPlatform.For("linux", Architecture.X64, false, false).BinaryInPrefix);
    }

    [TestMethod]
    public void CpuInfoHasAvx2_ReadsTheFlagsLine()
    {
        Assert.IsTrue(BunPlatform.CpuInfoHasAvx2("processor\t: 0\nflags\t\t: fpu sse2 avx avx2 bmi2\nbugs\t\t: spectre\n"));
        Assert.IsFalse(BunPlatform.CpuInfoHasAvx2("processor\t: 0\nflags\t\t: fpu sse2 avx avx512f\n"));
        Assert.IsFalse(BunPlatform.CpuInfoHasAvx2("processor\t: 0\nFeatures\t: fp asimd\n"));
    }

    [TestMethod]
    public void Detect_MatchesThisMachine()
    {
        var platform = BunPlatform.Detect();

        Assert.AreEqual(OperatingSystem.IsMacOS() ? "darwin" : "linux", platform.Os);
        if (OperatingSystem.IsLinux() && RuntimeInformation.OSArchitecture == Architecture.X64)
        {
            Assert.AreEqual(!BunPlatform.CpuInfoHasAvx2(File.ReadAllText("/proc/cpuinfo")), platform.Baseline);
        }
    }
}
