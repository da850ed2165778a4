using System.Diagnostics;
using CapaKit.Tool.Bun;

namespace CapaKit.Tool.Tests.Bun;

/// <summary>
/// Real npm against the real registry. A download is ~40 MB, so the class installs once (two concurrent callers into one
/// temp cache) and shares that; only the damaged-cache test installs a second time.
/// </summary>
[TestClass]
public sealed class BunProvisionerTests
{
    private const string InstallingMessage = "Installing Bun";

    private static string cacheRoot = null!;
    private static BunInstallation[] concurrentResults = null!;
    private static RecordingProgress concurrentProgress = null!;
    private string temp = null!;

    [ClassInitialize]
    public static async Task InstallOnce(TestContext context)
    {
        cacheRoot = Path.Combine(BunTestFiles.NewTempDirectory(), "cache");
        concurrentProgress = new RecordingProgress();
        var provisioner = new BunProvisioner();
        concurrentResults = await Task.WhenAll(
            Task.Run(() => provisioner.EnsureAsync(cacheRoot, concurrentProgress, context.CancellationToken)),
            Task.Run(() => provisioner.EnsureAsync(cacheRoot, concurrentProgress, context.CancellationToken)));
    }

    [ClassCleanup]
    public static void DeleteCache() => BunTestFiles.DeleteQuietly(Path.GetDirectoryName(cacheRoot)!);

    [TestInitialize]
    public void CreateTemp() => temp = BunTestFiles.NewTempDirectory();

    [TestCleanup]
    public void DeleteTemp() => BunTestFiles.DeleteQuietly(temp);

    [TestMethod]
    public void EnsureAsync_InstallsThePinnedVersion_ThatRunsScripts()
    {
        var bun = concurrentResults[0];

        Assert.AreEqual(BunProvisioner.PinnedVersion, bun.Version);
        Assert.AreEqual(BunSource.Cache, bun.Source);
        Assert.IsTrue(Path.IsPathRooted(bun.Executable));
        Assert.AreEqual(Path.Combine(cacheRoot, BunProvisioner.PinnedVersion, "bin", "bun"), bun.Executable);
        // bin/ is bound into the sandbox, so it must hold the binary alone; no staging or trash is left behind.
        CollectionAssert.AreEqual(new[] { "bun" }, Directory.GetFileSystemEntries(Path.GetDirectoryName(bun.Executable)!).Select(Path.GetFileName).ToArray());
        CollectionAssert.AreEquivalent(new[] { ".lock", "bin" },
            Directory.GetFileSystemEntries(Path.Combine(cacheRoot, BunProvisioner.PinnedVersion)).Select(Path.GetFileName).ToArray());

        var (exitCode, output) = BunTestFiles.Run(bun.Executable, "-e", "console.log(1+1)");

        Assert.AreEqual(0, exitCode, output);
        Assert.AreEqual("2", output.Trim());
    }

    [TestMethod]
    public void EnsureAsync_Concurrently_BothSucceedWithOneInstall()
    {
        TestContext.WriteLine(string.Join("\n", concurrentProgress.Lines));
        Assert.AreEqual(concurrentResults[0], concurrentResults[1]);
        Assert.AreEqual(1, concurrentProgress.Count(InstallingMessage), string.Join("\n", concurrentProgress.Lines));
        Assert.AreEqual(1, concurrentProgress.Count("already installed"), string.Join("\n", concurrentProgress.Lines));
    }

    [TestMethod]
    public async Task EnsureAsync_Again_UsesTheCacheWithoutNpm()
    {
        // No npm on this PATH: were the provisioner to run npm, it would fail with "npm was not found".
        var withoutNpm = new Dictionary<string, string?> { ["PATH"] = temp, ["HOME"] = temp };
        var progress = new RecordingProgress();
        var clock = Stopwatch.StartNew();

        var again = await new BunProvisioner(withoutNpm).EnsureAsync(cacheRoot, progress, TestContext.CancellationToken);

        Assert.AreEqual(concurrentResults[0], again);
        Assert.AreEqual(0, progress.Count(InstallingMessage));
        Assert.AreEqual(1, progress.Count("already installed"));
        Assert.IsLessThan(TimeSpan.FromSeconds(10), clock.Elapsed);
    }

    [TestMethod]
    public void Find_AfterEnsureAsync_ReturnsTheCachedBun()
    {
        var found = BunLocator.Find(new Dictionary<string, string?> { ["PATH"] = temp }, cacheRoot);

        Assert.IsNotNull(found);
        Assert.AreEqual(concurrentResults[0], found);
    }

    [TestMethod]
    public void Find_WithDefaultCacheRoot_ReadsXdgCacheHomeFromTheGivenEnvironment()
    {
        // cacheRoot is <temp>/cache, the layout XDG_CACHE_HOME=<x> gives as <x>/capakit/bun: link it there.
        var xdg = Path.Combine(temp, "xdg");
        Directory.CreateDirectory(Path.Combine(xdg, "capakit"));
        Directory.CreateSymbolicLink(Path.Combine(xdg, "capakit", "bun"), cacheRoot);

        var found = BunLocator.Find(new Dictionary<string, string?> { ["PATH"] = temp, ["XDG_CACHE_HOME"] = xdg });

        Assert.IsNotNull(found);
        Assert.AreEqual(concurrentResults[0].Executable, found.Executable);
    }

    [TestMethod]
    public async Task EnsureAsync_ReinstallsATruncatedCachedBinary()
    {
        var damagedRoot = Path.Combine(temp, "cache");
        var bin = Directory.CreateDirectory(Path.Combine(damagedRoot, BunProvisioner.PinnedVersion, "bin")).FullName;
        var damaged = Path.Combine(bin, "bun");
        File.Copy(concurrentResults[0].Executable, damaged);
        using (var stream = new FileStream(damaged, FileMode.Open, FileAccess.Write))
        {
            stream.SetLength(1_000_000);
        }
        Assert.IsNull(BunLocator.Find(new Dictionary<string, string?> { ["PATH"] = temp }, damagedRoot));
        var progress = new RecordingProgress();

        var repaired = await new BunProvisioner().EnsureAsync(damagedRoot, progress, TestContext.CancellationToken);

        Assert.AreEqual(1, progress.Count("reinstalling"), string.Join("\n", progress.Lines));
        Assert.AreEqual(1, progress.Count(InstallingMessage));
        Assert.AreEqual(damaged, repaired.Executable);
        Assert.AreEqual(new FileInfo(concurrentResults[0].Executable).Length, new FileInfo(damaged).Length);
        Assert.AreEqual(BunProvisioner.PinnedVersion, BunTestFiles.Run(damaged, "--version").Output.Trim());
    }

    [TestMethod]
    public async Task EnsureAsync_FailsClearly_WithoutNpm()
    {
        var withoutNpm = new Dictionary<string, string?> { ["PATH"] = temp, ["HOME"] = temp };

        var error = await Assert.ThrowsExactlyAsync<CapaKitException>(() =>
            new BunProvisioner(withoutNpm).EnsureAsync(Path.Combine(temp, "cache"), ct: TestContext.CancellationToken));

        Assert.AreEqual(ExitCodes.MissingPrerequisite, error.ExitCode);
        StringAssert.Contains(error.Message, OperatingSystem.IsMacOS() ? "brew install node" : "sudo apt-get install npm");
    }

    [TestMethod]
    public async Task EnsureAsync_FailsClearly_WhenTheRegistryIsUnreachable()
    {
        var environment = BunTestFiles.ProcessEnvironment();
        // Nothing listens on the loopback discard port; a fresh npm cache keeps npm from answering out of its own cache.
        environment["npm_config_registry"] = "http://127.0.0.1:9/";
        environment["npm_config_fetch_retries"] = "0";
        environment["npm_config_cache"] = Path.Combine(temp, "npm-cache");
        var root = Path.Combine(temp, "cache");

        var error = await Assert.ThrowsExactlyAsync<CapaKitException>(() =>
            new BunProvisioner(environment).EnsureAsync(root, ct: TestContext.CancellationToken));

        StringAssert.Contains(error.Message, "could not reach the npm registry");
        Assert.IsFalse(Directory.Exists(Path.Combine(root, BunProvisioner.PinnedVersion, ".staging")));
        Assert.IsFalse(Directory.Exists(Path.Combine(root, BunProvisioner.PinnedVersion, "bin")));
    }

    public TestContext TestContext { get; set; } = null!;
}
