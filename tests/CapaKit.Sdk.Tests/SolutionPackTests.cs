using System.IO.Compression;

namespace CapaKit.Sdk.Tests;

/// <summary>
/// `dotnet pack CapaKit.sln -c Release`, the plain release step, must make a CapaKit.Sdk package that builds Kits: the
/// task assembly under tools/net10.0/. (Pack runs without Build on a project that generates its package on build, so the
/// SDK project must build the tasks itself before it packs them.)
/// </summary>
[TestClass]
public sealed class SolutionPackTests
{
    [TestMethod]
    public void PackingTheSolutionMakesAnSdkPackageThatBuildsKits()
    {
        var root = Path.Combine(SdkFeed.Root, "solution-pack-" + Guid.NewGuid().ToString("N")[..6]);
        var feed = Path.Combine(root, "feed");
        // Its own artifacts folder: a Release build from scratch, nothing shared with the build under test.
        DotnetCli.Run(SdkFeed.RepoRoot, "pack", Path.Combine(SdkFeed.RepoRoot, "CapaKit.sln"), "-c", "Release", "-o", feed,
            $"-p:ArtifactsPath={Path.Combine(root, "artifacts")}", "-nologo", "-v:q").AssertSuccess("dotnet pack CapaKit.sln");

        var package = Directory.GetFiles(feed, "CapaKit.Sdk.*.nupkg").Single();
        using (var zip = ZipFile.OpenRead(package))
        {
            var entries = zip.Entries.Select(e => e.FullName).ToList();
            CollectionAssert.Contains(entries, "tools/net10.0/CapaKit.Tasks.dll", string.Join("\n", entries));
            CollectionAssert.Contains(entries, "tools/net10.0/YamlDotNet.dll");
            CollectionAssert.Contains(entries, "Sdk/Sdk.targets");
        }

        // A Kit restored from that feed alone, into a package folder of its own (the same version sits in the shared one).
        var workspace = Path.Combine(root, "kit");
        Directory.CreateDirectory(Path.Combine(workspace, "workloads", "api"));
        File.WriteAllText(Path.Combine(workspace, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config><add key="globalPackagesFolder" value="{Path.Combine(root, "packages")}" /></config>
              <packageSources><clear /><add key="local" value="{feed}" /></packageSources>
            </configuration>
            """);
        foreach (var file in new[] { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props" })
        {
            File.WriteAllText(Path.Combine(workspace, file), "<Project />\n");
        }
        File.WriteAllText(Path.Combine(workspace, "solo.kitproj"), $"<Project Sdk=\"CapaKit.Sdk/{SdkFeed.Version}\" />\n");
        File.WriteAllText(Path.Combine(workspace, "capability.yml"), """
            version: '1'
            name: solo
            workloads:
              api:
                runtime:
                  source:
                    toolchain: bun
                    start: {command: bun run index.ts}
            """);
        File.WriteAllText(Path.Combine(workspace, "workloads", "api", "index.ts"), "console.log('hi');\n");
        DotnetCli.Run(workspace, "build", "solo.kitproj", "-nologo").AssertSuccess("dotnet build of a Kit on the solution's SDK package");
        Assert.IsTrue(File.Exists(Path.Combine(workspace, "bin", "Debug", "kit", "kit.json")));
    }
}

/// <summary>A workload's own commands write its folder; `dotnet pack` must not follow a link planted there.</summary>
[TestClass]
public sealed class KitPackLinkTests
{
    // Guard: CheckKitPackFiles (CAPA0195) before the package is made.
    [TestMethod]
    [DataRow("file")]
    [DataRow("folder")]
    public void PackRefusesALinkInAWorkloadFolder(string kind)
    {
        var kit = new KitProject("leaky", """
            version: '1'
            name: leaky
            workloads:
              api:
                runtime:
                  source:
                    toolchain: bun
                    start: {command: bun run index.ts}
            """, "api");
        var outside = Path.Combine(SdkFeed.Root, "outside-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(outside);
        var secret = "host-secret-" + Guid.NewGuid().ToString("N");
        File.WriteAllText(Path.Combine(outside, "id_rsa"), secret + "\n");
        var src = Path.Combine(kit.Directory, "workloads", "api", "src");
        Directory.CreateDirectory(src);
        if (kind == "file")
        {
            File.CreateSymbolicLink(Path.Combine(src, "leak.ts"), Path.Combine(outside, "id_rsa"));
        }
        else
        {
            Directory.CreateSymbolicLink(Path.Combine(src, "leak"), outside);
        }
        kit.SetProjectBody("<PropertyGroup><PackageId>Leaky.Kit</PackageId><Version>1.0.0</Version></PropertyGroup>");
        var output = Path.Combine(SdkFeed.Root, "leaky-out-" + Guid.NewGuid().ToString("N")[..6]);
        var pack = DotnetCli.Run(kit.Directory, "pack", kit.ProjectFile, "-o", output, "-nologo");
        Assert.AreNotEqual(0, pack.ExitCode, pack.Output);
        StringAssert.Contains(pack.Output, "CAPA0195", pack.Output);
        StringAssert.Contains(pack.Output, kind == "file" ? "leak.ts" : "src/leak", pack.Output);
        foreach (var package in Directory.Exists(output) ? Directory.GetFiles(output, "*.nupkg") : [])
        {
            using var zip = ZipFile.OpenRead(package);
            foreach (var entry in zip.Entries.Where(e => e.Length > 0))
            {
                using var reader = new StreamReader(entry.Open());
                Assert.DoesNotContain(secret, reader.ReadToEnd(), $"{entry.FullName} carries the host file");
            }
        }
    }
}
