using CapaKit.Tool.Bun;

namespace CapaKit.Tool.Tests.Bun;

[TestClass]
public sealed class BunLocatorTests
{
    private string temp = null!;
    private string emptyCache = null!;

    [TestInitialize]
    public void CreateTemp()
    {
        temp = BunTestFiles.NewTempDirectory();
        emptyCache = Path.Combine(temp, "cache");
    }

    [TestCleanup]
    public void DeleteTemp() => BunTestFiles.DeleteQuietly(temp);

    [TestMethod]
    public void Find_UsesCapakitBun_BeforePath()
    {
        var chosen = BunTestFiles.WriteFakeBun(temp, "9.8.7", name: "my-bun");
        var onPath = Directory.CreateDirectory(Path.Combine(temp, "path")).FullName;
        BunTestFiles.WriteFakeBun(onPath, "1.0.0");

        var found = BunLocator.Find(new Dictionary<string, string?> { ["CAPAKIT_BUN"] = chosen, ["PATH"] = onPath }, emptyCache);

        Assert.IsNotNull(found);
        Assert.AreEqual(BunSource.Environment, found.Source);
        Assert.AreEqual("9.8.7", found.Version);
        Assert.AreEqual(chosen, found.Executable);
    }

    [TestMethod]
    public void Find_ResolvesSymlinks_SoTheSandboxBindsTheRealFolder()
    {
        var real = Directory.CreateDirectory(Path.Combine(temp, "real")).FullName;
        var target = BunTestFiles.WriteFakeBun(real, "1.2.3");
        var linkFolder = Path.Combine(temp, "linked");
        Directory.CreateSymbolicLink(linkFolder, real);
        var onPath = Directory.CreateDirectory(Path.Combine(temp, "path")).FullName;
        File.CreateSymbolicLink(Path.Combine(onPath, "bun"), Path.Combine(linkFolder, "bun"));

        var found = BunLocator.Find(new Dictionary<string, string?> { ["PATH"] = onPath }, emptyCache);

        Assert.IsNotNull(found);
        Assert.AreEqual(target, found.Executable);
    }

    [TestMethod]
    public void Find_FailsClearly_WhenCapakitBunIsMissing()
    {
        var missing = Path.Combine(temp, "no-such-bun");

        var error = Assert.ThrowsExactly<CapaKitException>(() =>
            BunLocator.Find(new Dictionary<string, string?> { ["CAPAKIT_BUN"] = missing }, emptyCache));

        Assert.AreEqual(ExitCodes.MissingPrerequisite, error.ExitCode);
        StringAssert.Contains(error.Message, "CAPAKIT_BUN");
        StringAssert.Contains(error.Message, "does not exist");
    }

    [TestMethod]
    public void Find_FailsClearly_WhenCapakitBunIsNotExecutable()
    {
        var file = Path.Combine(temp, "bun");
        File.WriteAllText(file, "not a program");
        BunTestFiles.SetMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var error = Assert.ThrowsExactly<CapaKitException>(() =>
            BunLocator.Find(new Dictionary<string, string?> { ["CAPAKIT_BUN"] = file }, emptyCache));

        // root may execute a file with no x bit for the owner only when some x bit is set; none is, so this holds for root too.
        StringAssert.Contains(error.Message, "not executable");
    }

    [TestMethod]
    public void Find_FailsClearly_WhenCapakitBunDoesNotRun()
    {
        var broken = BunTestFiles.WriteFakeBun(temp, "oops", exitCode: 3);

        var error = Assert.ThrowsExactly<CapaKitException>(() =>
            BunLocator.Find(new Dictionary<string, string?> { ["CAPAKIT_BUN"] = broken }, emptyCache));

        StringAssert.Contains(error.Message, "exited with code 3");
    }

    [TestMethod]
    public void Find_UsesFirstWorkingBunOnPath()
    {
        var broken = Directory.CreateDirectory(Path.Combine(temp, "broken")).FullName;
        BunTestFiles.WriteFakeBun(broken, "0.0.1", exitCode: 1);
        var working = Directory.CreateDirectory(Path.Combine(temp, "working")).FullName;
        var expected = BunTestFiles.WriteFakeBun(working, "1.2.3");
        var later = Directory.CreateDirectory(Path.Combine(temp, "later")).FullName;
        BunTestFiles.WriteFakeBun(later, "7.7.7");

        var found = BunLocator.Find(new Dictionary<string, string?> { ["PATH"] = $"{broken}:relative/dir:{working}:{later}" }, emptyCache);

        Assert.IsNotNull(found);
        Assert.AreEqual(BunSource.Path, found.Source);
        Assert.AreEqual("1.2.3", found.Version);
        Assert.AreEqual(expected, found.Executable);
    }

    [TestMethod]
    public void Find_ReturnsNull_WhenNothingIsInstalled()
    {
        var found = BunLocator.Find(new Dictionary<string, string?> { ["PATH"] = temp }, emptyCache);

        Assert.IsNull(found);
    }

    [TestMethod]
    public void Find_IgnoresACachedBinaryOfTheWrongVersion()
    {
        var bin = Directory.CreateDirectory(Path.Combine(emptyCache, BunProvisioner.PinnedVersion, "bin")).FullName;
        BunTestFiles.WriteFakeBun(bin, "0.0.0-not-pinned");

        var found = BunLocator.Find(new Dictionary<string, string?> { ["PATH"] = "" }, emptyCache);

        Assert.IsNull(found);
    }

    [TestMethod]
    public void DefaultCacheRoot_FollowsXdgCacheHome_ThenHome()
    {
        Assert.AreEqual("/x/cache/capakit/bun",
            BunCacheLayout.DefaultRoot(new Dictionary<string, string?> { ["XDG_CACHE_HOME"] = "/x/cache", ["HOME"] = "/home/u" }));
        Assert.AreEqual("/home/u/.cache/capakit/bun",
            BunCacheLayout.DefaultRoot(new Dictionary<string, string?> { ["XDG_CACHE_HOME"] = "relative", ["HOME"] = "/home/u" }));
        Assert.AreEqual("/home/u/.cache/capakit/bun", BunCacheLayout.DefaultRoot(new Dictionary<string, string?> { ["HOME"] = "/home/u" }));
    }
}
