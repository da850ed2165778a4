using System.Text.Json;
using System.Text.RegularExpressions;
using CapaKit.Tool.Tests.Runtime;
using CapaKit.Tool.Tests.Support;

namespace CapaKit.Tool.Tests.Packages;

/// <summary>
/// Kit packages that carry build logic (<see cref="HostileKitPackageFeed"/>): `up &lt;PackageId&gt;` and a hand-written
/// .kitproj importing them build and run the Kit without running any of it on the host.
/// </summary>
[TestClass]
public sealed class HostileKitPackageTests
{
    private static readonly string[] ExcludedAssetFlags = ["Build", "BuildTransitive", "Analyzers"];

    [TestMethod]
    public async Task UpOfAKitPackageCopiesOnlyKitFilesAndIgnoresResponseFiles()
    {
        var workspace = KitPackageFeed.NewWorkspace(feedInNuGetConfig: false);
        var cache = workspace.KitCache(HostileKitPackageFeed.HostileId, HostileKitPackageFeed.Version);
        // A response file above every package project (as one in a home folder would be): not for a package's build.
        Directory.CreateDirectory(Path.Combine(workspace.Cache, "capakit", "packages"));
        File.WriteAllText(Path.Combine(workspace.Cache, "capakit", "packages", "Directory.Build.rsp"), HostileKitPackageFeed.ResponseFile);
        try
        {
            var up = workspace.Run("up", HostileKitPackageFeed.HostileId, "--source", HostileKitPackageFeed.Path, "-d");
            Assert.AreEqual(0, up.ExitCode, up.ToString());
            await AssertServesAsync(up);

            AssertNoMarkers(cache);
            foreach (var planted in HostileKitPackageFeed.PlantedKitFiles)
            {
                // up writes its own of some of these names (empty Directory.Build.*, the feeds' nuget.config): never the package's.
                var path = Path.Combine(cache, planted);
                Assert.IsFalse(File.Exists(path) && File.ReadAllText(path) is var text && (text.Contains("marker") || text.Contains("planted")),
                    $"{planted} of the package was copied into the Kit's folder");
            }
            Assert.IsTrue(File.Exists(Path.Combine(cache, "workloads", "web", "server.ts")), "the Kit's own sources were not copied");
            StringAssert.Contains(up.StandardError, "CAPA0534");
            StringAssert.Contains(up.StandardError, "Directory.Build.props");
        }
        finally
        {
            workspace.Run("down", HostileKitPackageFeed.HostileId);
        }
    }

    [TestMethod]
    public async Task UpOfAKitPackageThatImportsOneRunsNoneOfTheImportsBuildAssets()
    {
        var workspace = KitPackageFeed.NewWorkspace(feedInNuGetConfig: false);
        var cache = workspace.KitCache(HostileKitPackageFeed.ImporterId, HostileKitPackageFeed.Version);
        try
        {
            var up = workspace.Run("up", HostileKitPackageFeed.ImporterId, "--source", HostileKitPackageFeed.Path, "-d");
            Assert.AreEqual(0, up.ExitCode, up.ToString());
            await AssertServesAsync(up);

            AssertNoMarkers(cache);
            AssertNoBuildAssetsRestored(cache, HostileKitPackageFeed.HostileId);
            var importedWeb = Path.Combine(cache, "obj", "capakit-imports", "h", "workloads", "web");
            Assert.IsTrue(File.Exists(Path.Combine(importedWeb, "server.ts")), "the imported Kit's sources were not copied");
            Assert.IsFalse(File.Exists(Path.Combine(importedWeb, "Directory.Build.props")), "the build copied an imported package's Directory.Build.props");
            Assert.IsFalse(File.Exists(Path.Combine(importedWeb, "local.targets")));
            Assert.IsFalse(Directory.Exists(Path.Combine(importedWeb, "obj")));
        }
        finally
        {
            workspace.Run("down", HostileKitPackageFeed.ImporterId);
        }
    }

    [TestMethod]
    public void AHandWrittenKitProjectImportingKitPackagesRunsNoneOfTheirBuildAssets()
    {
        var directory = Path.Combine(TestMachine.Root, "hostile-import-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config><add key="globalPackagesFolder" value="{Path.Combine(directory, "packages")}" /></config>
              <packageSources><clear /><add key="kits" value="{HostileKitPackageFeed.Path}" /></packageSources>
            </configuration>
            """);
        // Hostile.Kit directly, and again through Importer.Kit, whose nuspec lets every asset of it flow.
        File.WriteAllText(Path.Combine(directory, "consumer.kitproj"), $"""
            <Project Sdk="CapaKit.Sdk/{TestMachine.SdkVersion}">
              <ItemGroup>
                <PackageReference Include="{HostileKitPackageFeed.HostileId}" Version="{HostileKitPackageFeed.Version}" />
                <PackageReference Include="{HostileKitPackageFeed.ImporterId}" Version="{HostileKitPackageFeed.Version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(directory, "capability.yml"), $"""
            version: '1'
            name: consumer
            dependencies:
              hostile:
                source:
                  package: {HostileKitPackageFeed.HostileId}
              imp:
                source:
                  package: {HostileKitPackageFeed.ImporterId}
            workloads:
              front:
                import:
                  dependency: hostile
                  exposed_path: /hostile
            expose:
            - path: /hostile
              target: front
              endpoints:
              - http
            """);

        // The premise of the transitive case: Importer.Kit's nuspec really lets every asset of Hostile.Kit flow.
        using (var importer = System.IO.Compression.ZipFile.OpenRead(Path.Combine(HostileKitPackageFeed.Path, $"{HostileKitPackageFeed.ImporterId}.{HostileKitPackageFeed.Version}.nupkg")))
        using (var nuspec = importer.GetEntry($"{HostileKitPackageFeed.ImporterId}.nuspec")!.Open())
        {
            var dependency = System.Xml.Linq.XDocument.Load(nuspec).Descendants().Single(e => e.Name.LocalName == "dependency" && (string?)e.Attribute("id") == HostileKitPackageFeed.HostileId);
            Assert.IsNull(dependency.Attribute("exclude"), dependency.ToString());
        }

        var build = ToolProcess.Run(RunAs.Root, directory, ["build"], new Dictionary<string, string> { ["MSBUILDDISABLENODEREUSE"] = "1" });

        Assert.AreEqual(0, build.ExitCode, build.ToString());
        AssertNoMarkers(directory);
        AssertNoBuildAssetsRestored(directory, HostileKitPackageFeed.HostileId, HostileKitPackageFeed.ImporterId);
        Assert.IsFalse(File.Exists(Path.Combine(directory, "obj", "capakit-imports", "hostile", "workloads", "web", "Directory.Build.props")));
    }

    /// <summary>No marker anywhere under <paramref name="directory"/>: no piece of the packages' build logic ran there.</summary>
    private static void AssertNoMarkers(string directory)
    {
        var markers = Directory.GetFiles(directory, HostileKitPackageFeed.MarkerPattern, SearchOption.AllDirectories);
        Assert.IsEmpty(markers, "package build logic ran on the host: " + string.Join(", ", markers.Select(m => Path.GetRelativePath(directory, m))));
    }

    /// <summary>Restore handed out none of the packages' build, buildTransitive or analyzer assets (the imports MSBuild would read).</summary>
    private static void AssertNoBuildAssetsRestored(string projectDirectory, params string[] ids)
    {
        var obj = Path.Combine(projectDirectory, "obj");
        foreach (var generated in Directory.GetFiles(obj, "*.nuget.g.*"))
        {
            var text = File.ReadAllText(generated);
            foreach (var id in ids)
            {
                Assert.DoesNotContain(id, text, StringComparison.OrdinalIgnoreCase, $"{Path.GetFileName(generated)} imports a file of {id}");
            }
        }
        using var assets = JsonDocument.Parse(File.ReadAllText(Path.Combine(obj, "project.assets.json")));
        foreach (var target in assets.RootElement.GetProperty("targets").EnumerateObject())
        {
            foreach (var library in target.Value.EnumerateObject().Where(l => ids.Any(id => l.Name.StartsWith(id + "/", StringComparison.OrdinalIgnoreCase))))
            {
                foreach (var kind in new[] { "build", "buildMultiTargeting", "analyzers" })
                {
                    var assetsOfKind = library.Value.TryGetProperty(kind, out var items) ? items.EnumerateObject().Select(i => i.Name).Where(n => !n.EndsWith("/_._", StringComparison.Ordinal)).ToList() : [];
                    Assert.IsEmpty(assetsOfKind, $"restore gave {library.Name} {kind} assets: {string.Join(", ", assetsOfKind)}");
                }
            }
        }
        foreach (var framework in assets.RootElement.GetProperty("project").GetProperty("frameworks").EnumerateObject())
        {
            if (!framework.Value.TryGetProperty("dependencies", out var dependencies))
            {
                continue;
            }
            foreach (var dependency in dependencies.EnumerateObject().Where(d => ids.Contains(d.Name, StringComparer.OrdinalIgnoreCase)))
            {
                var include = dependency.Value.TryGetProperty("include", out var flags) ? flags.GetString() ?? "" : "All";
                var flowing = include.Split(',', StringSplitOptions.TrimEntries).Intersect(ExcludedAssetFlags.Append("All")).ToList();
                Assert.IsEmpty(flowing, $"{dependency.Name} is referenced with {include}");
            }
        }
    }

    private static async Task AssertServesAsync(ToolResult up)
    {
        var url = Regex.Match(up.All, @"http://127\.0\.0\.1:\d+/");
        Assert.IsTrue(url.Success, "up names the gateway URL:\n" + up);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        Assert.AreEqual(HostileKitPackageFeed.Greeting, await http.GetStringAsync(new Uri(new Uri(url.Value), "/hostile")));
    }
}
