using CapaKit.Tool.Packages;
using NuGet.Versioning;

namespace CapaKit.Tool.Tests.Packages;

/// <summary>The cache copy of a Kit package: copied once, refreshed only when the package changes, node_modules never touched.</summary>
[TestClass]
public sealed class KitPackageWorkspaceTests
{
    [TestMethod]
    public void ARerunReusesTheCopyAndANewPackageReplacesOnlyWhatCameFromThePackage()
    {
        var root = Directory.CreateTempSubdirectory("capakit-workspace-").FullName;
        try
        {
            // An extracted package as NuGet lays it out in the global packages folder (only kit/ matters here).
            var installed = Path.Combine(root, "packages", "shop.kit", "1.0.0");
            Write(installed, "kit/capability.yml", "name: shop\n");
            Write(installed, "kit/workloads/api/index.ts", "v1\n");
            Write(installed, "kit/workloads/api/old.ts", "old\n");
            File.WriteAllText(Path.Combine(root, "nuget.config"), "<configuration><packageSources><clear /></packageSources></configuration>");
            var feeds = KitFeeds.Load(root, null);
            var cache = Path.Combine(root, "cache");
            var package = new ResolvedKitPackage("Shop.Kit", NuGetVersion.Parse("1.0.0"), installed, "hash-1", []);

            var project = KitPackageWorkspace.Materialize(package, feeds, cache, "0.1.0").ProjectFile;
            Assert.AreEqual(Path.Combine(cache, "Shop.Kit.kitproj"), project);
            Assert.AreEqual("v1\n", File.ReadAllText(Path.Combine(cache, "workloads/api/index.ts")));
            Write(cache, "workloads/api/node_modules/dep/index.js", "installed\n");

            // Same package: nothing is copied again (an edit in the cache stays), the project keeps its timestamp.
            File.WriteAllText(Path.Combine(cache, "workloads/api/index.ts"), "edited\n");
            var projectTime = File.GetLastWriteTimeUtc(project);
            KitPackageWorkspace.Materialize(package, feeds, cache, "0.1.0");
            Assert.AreEqual("edited\n", File.ReadAllText(Path.Combine(cache, "workloads/api/index.ts")));
            Assert.AreEqual(projectTime, File.GetLastWriteTimeUtc(project));

            // The package changed (same version re-published): its files are replaced, a file it dropped goes, node_modules stays.
            File.WriteAllText(Path.Combine(installed, "kit/workloads/api/index.ts"), "v2\n");
            File.Delete(Path.Combine(installed, "kit/workloads/api/old.ts"));
            KitPackageWorkspace.Materialize(package with { ContentHash = "hash-2" }, feeds, cache, "0.1.0");
            Assert.AreEqual("v2\n", File.ReadAllText(Path.Combine(cache, "workloads/api/index.ts")));
            Assert.IsFalse(File.Exists(Path.Combine(cache, "workloads/api/old.ts")));
            Assert.AreEqual("installed\n", File.ReadAllText(Path.Combine(cache, "workloads/api/node_modules/dep/index.js")));
            Assert.IsTrue(File.GetLastWriteTimeUtc(Path.Combine(cache, "capability.yml")) > DateTime.UtcNow.AddMinutes(-1), "copied files are stamped now so the Kit rebuilds");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static void Write(string root, string relative, string content)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }
}
