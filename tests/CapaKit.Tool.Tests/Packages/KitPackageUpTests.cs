using System.Text.Json;
using System.Text.RegularExpressions;
using CapaKit.Tool.Tests.Runtime;

namespace CapaKit.Tool.Tests.Packages;

/// <summary>`up &lt;PackageId&gt;` against a real local feed: resolve, download, materialize, run, stop; and its refusals.</summary>
[TestClass]
public sealed class KitPackageUpTests
{
    [TestMethod]
    public async Task UpRunsTheNewestStableVersionFromTheSourceAndDownStopsIt()
    {
        var workspace = KitPackageFeed.NewWorkspace(feedInNuGetConfig: false);
        var cache = workspace.KitCache(KitPackageFeed.KitId, KitPackageFeed.StableVersion);
        try
        {
            var up = workspace.Run("up", KitPackageFeed.KitId, "--source", KitPackageFeed.Path, "-d");
            Assert.AreEqual(0, up.ExitCode, up.ToString());
            // 2.0.0-beta.1 is higher, but a stable version exists.
            StringAssert.Contains(up.StandardError, $"Kit package {KitPackageFeed.KitId} {KitPackageFeed.StableVersion}");
            await AssertGreetsAsync(up);

            var ps = workspace.Run("ps", "--format", "json");
            var entry = JsonDocument.Parse(ps.StandardOutput).RootElement.EnumerateArray()
                .Single(e => e.GetProperty("kit").GetString() == "greeter" && e.GetProperty("gateway").GetString() == Gateway(up).ToString());
            Assert.AreEqual("ready", entry.GetProperty("status").GetString(), ps.ToString());

            // The Kit runs from its cache copy: bun's writes land there, never in the global packages folder.
            var prepared = Path.Combine(cache, "workloads", "web", "node_modules", ".prepared");
            Assert.IsTrue(File.Exists(prepared), "the prepare phase did not run in the cache copy");
            var installed = Path.Combine(workspace.GlobalPackages, KitPackageFeed.KitId.ToLowerInvariant(), KitPackageFeed.StableVersion);
            Assert.IsTrue(File.Exists(Path.Combine(installed, "kit", "capability.yml")), "the package is not in the global packages folder");
            Assert.IsFalse(Directory.Exists(Path.Combine(installed, "kit", "workloads", "web", "node_modules")), "node_modules landed in the global packages folder");
            var generated = File.ReadAllText(Path.Combine(cache, KitPackageFeed.KitId + ".kitproj"));
            StringAssert.Contains(generated, $"Sdk=\"CapaKit.Sdk/{Support.TestMachine.SdkVersion}\"");
            StringAssert.Contains(File.ReadAllText(Path.Combine(cache, "nuget.config")), KitPackageFeed.Path);

            var down = workspace.Run("down", KitPackageFeed.KitId);
            Assert.AreEqual(0, down.ExitCode, down.ToString());
            StringAssert.Contains(down.StandardError, "stopped");
            Assert.IsEmpty(WaitUntilGone(cache), "processes of the Kit left after down");

            // Again: the cache is reused as it is (same project file, node_modules kept), and the Kit runs.
            var projectWritten = File.GetLastWriteTimeUtc(Path.Combine(cache, KitPackageFeed.KitId + ".kitproj"));
            var again = workspace.Run("up", $"{KitPackageFeed.KitId}@{KitPackageFeed.StableVersion}", "--source", KitPackageFeed.Path, "-d");
            Assert.AreEqual(0, again.ExitCode, again.ToString());
            await AssertGreetsAsync(again);
            Assert.IsTrue(File.Exists(prepared), "a re-run deleted node_modules");
            Assert.AreEqual(projectWritten, File.GetLastWriteTimeUtc(Path.Combine(cache, KitPackageFeed.KitId + ".kitproj")));
        }
        finally
        {
            workspace.Run("down", KitPackageFeed.KitId);
        }
        Assert.IsEmpty(WaitUntilGone(cache));
    }

    [TestMethod]
    public void UpOfAMissingVersionFailsNamingTheNearestVersions()
    {
        var workspace = KitPackageFeed.NewWorkspace(feedInNuGetConfig: false);
        var up = workspace.Run("up", KitPackageFeed.KitId + "@1.1.0", "--source", KitPackageFeed.Path, "-d");
        Assert.AreEqual(2, up.ExitCode, up.ToString());
        StringAssert.Contains(up.StandardError, $"has no version 1.1.0 on the feeds (nearest: {KitPackageFeed.StableVersion}, {KitPackageFeed.PrereleaseVersion})");
        Assert.IsFalse(Directory.Exists(Path.Combine(workspace.Cache, "capakit", "packages")), "a failed up materialized something");
    }

    [TestMethod]
    public void UpRefusesAPackageThatIsNotAKitBeforeItReachesThePackagesFolder()
    {
        var workspace = KitPackageFeed.NewWorkspace(feedInNuGetConfig: true);
        var up = workspace.Run("up", KitPackageFeed.NotAKitId, "-d");
        Assert.AreEqual(2, up.ExitCode, up.ToString());
        StringAssert.Contains(up.StandardError, $"{KitPackageFeed.NotAKitId} 1.0.0 is not a Kit package (its package type is Dependency, not CapaKit)");
        Assert.IsFalse(Directory.Exists(Path.Combine(workspace.GlobalPackages, KitPackageFeed.NotAKitId.ToLowerInvariant())));
    }

    [TestMethod]
    public void UpOfAnUnknownPackageListsTheFeedsItTried()
    {
        var workspace = KitPackageFeed.NewWorkspace(feedInNuGetConfig: true);
        var up = workspace.Run("up", "No.Such.Kit");
        Assert.AreEqual(2, up.ExitCode, up.ToString());
        StringAssert.Contains(up.StandardError, $"No package 'No.Such.Kit' on any feed (tried {KitPackageFeed.Path})");

        // A path that does not exist is still reported as a path, not looked up as a package.
        var path = workspace.Run("up", "./missing-kit");
        Assert.AreEqual(2, path.ExitCode, path.ToString());
        StringAssert.Contains(path.StandardError, "does not exist");
    }

    [TestMethod]
    public async Task AFeedThatCannotBeReadIsReportedAndLeftOutOfTheGeneratedProject()
    {
        var workspace = KitPackageFeed.NewWorkspace(feedInNuGetConfig: false, brokenFeedInNuGetConfig: true);
        var broken = Path.Combine(workspace.Root, "deleted-feed");
        var cache = workspace.KitCache(KitPackageFeed.KitId, KitPackageFeed.StableVersion);
        try
        {
            var missing = workspace.Run("up", KitPackageFeed.KitId + "@9.0.0", "--source", KitPackageFeed.Path);
            Assert.AreEqual(2, missing.ExitCode, missing.ToString());
            StringAssert.Contains(missing.StandardError, "nearest: 1.2.0, 2.0.0-beta.1");

            var unknown = workspace.Run("up", "No.Such.Kit", "--source", KitPackageFeed.Path);
            StringAssert.Contains(unknown.StandardError, $"{broken} could not be read");

            // The Kit's own restore would fail on the unreadable feed, so the generated nuget.config leaves it out.
            var up = workspace.Run("up", KitPackageFeed.KitId, "--source", KitPackageFeed.Path, "-d");
            Assert.AreEqual(0, up.ExitCode, up.ToString());
            await AssertGreetsAsync(up);
            Assert.DoesNotContain(broken, File.ReadAllText(Path.Combine(cache, "nuget.config")));
        }
        finally
        {
            workspace.Run("down", KitPackageFeed.KitId);
        }
        Assert.IsEmpty(WaitUntilGone(cache));
    }

    [TestMethod]
    public async Task ARePublishedPackageIsNotWrittenThroughALinkAWorkloadPlantedInItsFolder()
    {
        var workspace = KitPackageFeed.NewWorkspace(feedInNuGetConfig: false);
        var cache = workspace.KitCache(KitPackageFeed.KitId, KitPackageFeed.StableVersion);
        var spec = $"{KitPackageFeed.KitId}@{KitPackageFeed.StableVersion}";
        try
        {
            var first = workspace.Run("up", spec, "--source", KitPackageFeed.Path, "-d");
            Assert.AreEqual(0, first.ExitCode, first.ToString());
            Assert.AreEqual(0, workspace.Run("down", KitPackageFeed.KitId).ExitCode);
            Assert.IsEmpty(WaitUntilGone(cache));

            // What a workload can do in its own root between two runs: swap a source file for a link to a host file.
            var hostFile = Path.Combine(workspace.Root, "host-file.txt");
            File.WriteAllText(hostFile, "belongs to the host\n");
            var server = Path.Combine(cache, "workloads", "web", "server.ts");
            File.Delete(server);
            File.CreateSymbolicLink(server, hostFile);

            // The same version re-published with other content: up copies the package again.
            Directory.Delete(Path.Combine(workspace.GlobalPackages, KitPackageFeed.KitId.ToLowerInvariant(), KitPackageFeed.StableVersion), recursive: true);
            var again = workspace.Run("up", spec, "--source", KitPackageFeed.RepublishedPath, "-d");
            Assert.AreEqual("belongs to the host\n", File.ReadAllText(hostFile), "the package's file was written through the planted link");
            Assert.AreEqual(0, again.ExitCode, again.ToString());
            Assert.IsNull(new FileInfo(server).LinkTarget, "the planted link is still there");
            StringAssert.Contains(File.ReadAllText(server), KitPackageFeed.RepublishedGreeting);
            StringAssert.Contains(again.StandardError, $"CAPA0535: {server} was a symbolic link");
            await AssertGreetsAsync(again, KitPackageFeed.RepublishedGreeting);
        }
        finally
        {
            workspace.Run("down", KitPackageFeed.KitId);
        }
        Assert.IsEmpty(WaitUntilGone(cache));
    }

    private static Uri Gateway(Support.ToolResult up)
    {
        var url = Regex.Match(up.All, @"http://127\.0\.0\.1:\d+/");
        Assert.IsTrue(url.Success, "up names the gateway URL:\n" + up);
        return new Uri(url.Value);
    }

    private static async Task AssertGreetsAsync(Support.ToolResult up, string greeting = KitPackageFeed.Greeting)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        Assert.AreEqual(greeting, await http.GetStringAsync(new Uri(Gateway(up), "/greet")));
    }

    private static List<string> WaitUntilGone(string cache)
    {
        Poll.Until(() => HostProcessTable.Matching(cache + "/", cache + "/").Count == 0, TimeSpan.FromSeconds(15));
        return HostProcessTable.Matching(cache + "/", cache + "/");
    }
}
