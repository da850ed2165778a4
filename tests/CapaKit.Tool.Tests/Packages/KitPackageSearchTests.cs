using System.Text.Json;

namespace CapaKit.Tool.Tests.Packages;

/// <summary>`search` on a real local folder feed that holds Kit packages, a non-Kit package and the SDK.</summary>
[TestClass]
public sealed class KitPackageSearchTests
{
    [TestMethod]
    public void SearchListsOnlyKitPackagesOfTheConfiguredFeeds()
    {
        var workspace = KitPackageFeed.NewWorkspace(feedInNuGetConfig: true);

        var all = Hits(workspace.Run("search", "--format", "json"));
        CollectionAssert.AreEqual(new[] { KitPackageFeed.KitId }, all.Select(h => h.Id).ToArray(), "only the CapaKit-typed package is a Kit");
        Assert.AreEqual(KitPackageFeed.StableVersion, all[0].Version);
        Assert.AreEqual("Says hello over HTTP.", all[0].Description);
        Assert.AreEqual(KitPackageFeed.Path, all[0].Feed);

        var prerelease = Hits(workspace.Run("search", "greeter", "--prerelease", "--format", "json"));
        Assert.AreEqual(KitPackageFeed.PrereleaseVersion, prerelease.Single().Version);

        Assert.IsEmpty(Hits(workspace.Run("search", "plain", "--format", "json")), "a package without the CapaKit type was listed");

        var table = workspace.Run("search", "greeter");
        Assert.AreEqual(0, table.ExitCode, table.ToString());
        StringAssert.Contains(table.StandardOutput, KitPackageFeed.KitId);
        StringAssert.Contains(table.StandardOutput, "Says hello over HTTP.");
    }

    [TestMethod]
    public void SearchUsesTheSourceOptionAndRefusesAMissingFolder()
    {
        var workspace = KitPackageFeed.NewWorkspace(feedInNuGetConfig: false);
        Assert.IsEmpty(Hits(workspace.Run("search", "--format", "json")), "no feed is configured");
        Assert.AreEqual(KitPackageFeed.KitId, Hits(workspace.Run("search", "--source", KitPackageFeed.Path, "--format", "json")).Single().Id);

        var missing = workspace.Run("search", "--source", Path.Combine(workspace.Root, "no-feed"));
        Assert.AreEqual(2, missing.ExitCode, missing.ToString());
        StringAssert.Contains(missing.StandardError, "neither an http(s) URL nor an existing folder");
    }

    [TestMethod]
    public void SearchWarnsAboutAFeedThatCannotBeReadAndListsTheOthers()
    {
        var workspace = KitPackageFeed.NewWorkspace(feedInNuGetConfig: true, brokenFeedInNuGetConfig: true);
        var search = workspace.Run("search", "greeter");
        Assert.AreEqual(0, search.ExitCode, search.ToString());
        StringAssert.Contains(search.StandardOutput, KitPackageFeed.KitId);
        StringAssert.Contains(search.StandardError, $"warning: {Path.Combine(workspace.Root, "deleted-feed")} could not be searched");

        var none = KitPackageFeed.NewWorkspace(feedInNuGetConfig: false, brokenFeedInNuGetConfig: true).Run("search");
        Assert.AreEqual(2, none.ExitCode, none.ToString());
        StringAssert.Contains(none.StandardError, "No feed could be searched");
    }

    private sealed record Hit(string Id, string Version, string Description, string Feed);

    private static List<Hit> Hits(Support.ToolResult search)
    {
        Assert.AreEqual(0, search.ExitCode, search.ToString());
        return [.. JsonDocument.Parse(search.StandardOutput).RootElement.EnumerateArray().Select(e => new Hit(
            e.GetProperty("id").GetString()!, e.GetProperty("version").GetString()!, e.GetProperty("description").GetString()!, e.GetProperty("feed").GetString()!))];
    }
}
