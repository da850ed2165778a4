using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

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

    [TestMethod]
    public async Task SearchReadsTheNuspecsOfAnHttpFeedThatCannotFilterByPackageType()
    {
        // A v3 feed on loopback whose search service predates package-type filtering (3.0.0-beta): NuGet refuses a
        // filter naming a package type there, so search must ask without one and read each hit's nuspec.
        var nupkgs = Directory.GetFiles(KitPackageFeed.Path, "*.nupkg")
            .Where(f => Path.GetFileName(f).StartsWith(KitPackageFeed.KitId + ".", StringComparison.Ordinal) || Path.GetFileName(f).StartsWith(KitPackageFeed.NotAKitId + ".", StringComparison.Ordinal))
            .ToDictionary(f => Path.GetFileNameWithoutExtension(f).ToLowerInvariant());
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var app = builder.Build();
        string Base(HttpContext c) => $"http://{c.Request.Host}";
        app.MapGet("/v3/index.json", (HttpContext c) => Results.Text($$"""
            {"version": "3.0.0", "resources": [
              {"@id": "{{Base(c)}}/query", "@type": "SearchQueryService/3.0.0-beta"},
              {"@id": "{{Base(c)}}/flat/", "@type": "PackageBaseAddress/3.0.0"}]}
            """, "application/json"));
        app.MapGet("/query", () => Results.Text($$"""
            {"totalHits": 2, "data": [
              {"id": "{{KitPackageFeed.KitId}}", "version": "{{KitPackageFeed.StableVersion}}", "description": "Says hello over HTTP.", "versions": [{"version": "{{KitPackageFeed.StableVersion}}", "downloads": 1}]},
              {"id": "{{KitPackageFeed.NotAKitId}}", "version": "1.0.0", "description": "Not a Kit.", "versions": [{"version": "1.0.0", "downloads": 1}]}]}
            """, "application/json"));
        app.MapGet("/flat/{id}/index.json", (string id) => Results.Text(
            JsonSerializer.Serialize(new { versions = nupkgs.Keys.Where(k => k.StartsWith(id + ".", StringComparison.Ordinal)).Select(k => k[(id.Length + 1)..]).ToArray() }), "application/json"));
        app.MapGet("/flat/{id}/{version}/{file}", (string file) => nupkgs.TryGetValue(Path.GetFileNameWithoutExtension(file), out var path)
            ? Results.File(path, "application/octet-stream")
            : Results.NotFound());
        await app.StartAsync();
        var feed = app.Urls.Single() + "/v3/index.json";

        var workspace = KitPackageFeed.NewWorkspace(feedInNuGetConfig: false);
        var table = workspace.Run("search", "--source", feed);
        Assert.AreEqual(0, table.ExitCode, table.ToString());
        var hits = Hits(workspace.Run("search", "--source", feed, "--format", "json"));
        CollectionAssert.AreEqual(new[] { KitPackageFeed.KitId }, hits.Select(h => h.Id).ToArray(), "only the package whose nuspec says CapaKit");
        Assert.AreEqual(feed, hits[0].Feed);
    }

    private sealed record Hit(string Id, string Version, string Description, string Feed);

    private static List<Hit> Hits(Support.ToolResult search)
    {
        Assert.AreEqual(0, search.ExitCode, search.ToString());
        return [.. JsonDocument.Parse(search.StandardOutput).RootElement.EnumerateArray().Select(e => new Hit(
            e.GetProperty("id").GetString()!, e.GetProperty("version").GetString()!, e.GetProperty("description").GetString()!, e.GetProperty("feed").GetString()!))];
    }
}
