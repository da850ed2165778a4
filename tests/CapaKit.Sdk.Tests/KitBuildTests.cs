using System.IO.Compression;
using System.Text.Json;

namespace CapaKit.Sdk.Tests;

[TestClass]
public sealed class KitBuildTests
{
    private const string TwoWorkloads = """
        version: '1'
        name: shop
        options:
          title: {kind: string, default: Shop}
        host_mounts:
          data: {usage: Orders, access: read_write}
        secrets:
          api_token: {description: API token}
        workloads:
          api:
            endpoints: [http]
            mounts: [{mount_mid: data, access: read_write}]
            secrets: [api_token]
            runtime:
              source:
                toolchain: bun
                prepare: {command: bun install}
                start: {command: bun run index.ts}
          web:
            endpoints: [http]
            connections: [api]
            runtime:
              source:
                toolchain: bun
                start:
                  command: bun run index.ts
                  env_from_options: {SHOP_TITLE: title}
        expose:
          - path: /
            target: web
            endpoints: [http]
        """;

    [TestMethod]
    public void ABareKitprojBuildsTheWholeBundle()
    {
        var kit = new KitProject("shop", TwoWorkloads, "api", "web");
        kit.Build().AssertSuccess("dotnet build");

        var model = JsonDocument.Parse(File.ReadAllText(kit.Bundle("kit.json"))).RootElement;
        Assert.AreEqual(3, model.GetProperty("bundleVersion").GetInt32());
        Assert.AreEqual(SdkFeed.Version, model.GetProperty("compilerVersion").GetString());
        Assert.AreEqual("shop", model.GetProperty("kit").GetProperty("name").GetString());
        CollectionAssert.AreEqual(new[] { "api", "web" }, model.GetProperty("startOrder").EnumerateArray().Select(e => e.GetString()).ToArray());

        foreach (var file in new[]
                 {
                     "policies/api.prepare.sb", "policies/api.prepare.linux.json", "policies/api.start.sb", "policies/api.start.linux.json",
                     "policies/web.start.sb", "policies/web.start.linux.json", "certs/ca.pem", "certs/api.pem", "certs/api.key", "certs/web.pem", "certs/web.key",
                 })
        {
            Assert.IsTrue(File.Exists(kit.Bundle(file)), $"{file} missing from the bundle");
        }
        Assert.IsFalse(File.Exists(kit.Bundle("policies/web.prepare.sb")), "web has no prepare phase");
        if (!OperatingSystem.IsWindows())
        {
            Assert.AreEqual(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(kit.Bundle("certs/api.key")));
        }
        StringAssert.Contains(File.ReadAllText(kit.Bundle("policies/api.start.sb")), "(deny default)");
    }

    [TestMethod]
    public void TheUserSecretsIdReachesTheModel()
    {
        var kit = new KitProject("secretive", TwoWorkloads.Replace("name: shop", "name: secretive"), "api", "web");
        File.WriteAllText(kit.ProjectFile, $"<Project Sdk=\"CapaKit.Sdk/{SdkFeed.Version}\">\n  <PropertyGroup><UserSecretsId>capakit-test-1234</UserSecretsId></PropertyGroup>\n</Project>\n");
        kit.Build().AssertSuccess("dotnet build");
        var model = JsonDocument.Parse(File.ReadAllText(kit.Bundle("kit.json"))).RootElement;
        Assert.AreEqual("capakit-test-1234", model.GetProperty("kit").GetProperty("userSecretsId").GetString());
    }

    [TestMethod]
    public void ErrorsCarryTheCodeFileLineAndColumn()
    {
        var kit = new KitProject("broken", """
            version: '1'
            name: broken
            workloads:
              web:
                connections: [nope]
                runtime: {source: {toolchain: bun, start: {command: bun run index.ts}}}
            """, "web");
        var result = kit.Build();
        Assert.AreNotEqual(0, result.ExitCode, result.Output);
        StringAssert.Contains(result.Output, $"{kit.ManifestFile}(5,19): error CAPA0120: Workload 'web' connects to 'nope'");
        Assert.IsFalse(Directory.Exists(kit.BundleDirectory), "a failed build writes no bundle");
    }

    [TestMethod]
    public void UnknownKeysWarnButBuild()
    {
        var kit = new KitProject("warned", """
            version: '1'
            name: warned
            flavour: strawberry
            workloads:
              web:
                runtime: {source: {toolchain: bun, start: {command: bun run index.ts}}}
            """, "web");
        var result = kit.Build();
        result.AssertSuccess("dotnet build");
        StringAssert.Contains(result.Output, "(3,1): warning CAPA0004: Unknown key 'flavour'");
    }

    [TestMethod]
    public void AMissingWorkloadFolderIsAnError()
    {
        var kit = new KitProject("nofolder", """
            version: '1'
            name: nofolder
            workloads:
              web:
                runtime: {source: {toolchain: bun, start: {command: bun run index.ts}}}
            """);
        var result = kit.Build();
        Assert.AreNotEqual(0, result.ExitCode);
        StringAssert.Contains(result.Output, "(4,3): error CAPA0007:");
    }

    [TestMethod]
    public void ASecondBuildRunsNoGenerationAndTouchesNothing()
    {
        var kit = new KitProject("noop", TwoWorkloads, "api", "web");
        kit.Build().AssertSuccess("first build");
        var before = kit.BundleTimestamps();

        var second = kit.Build("-v:diag");
        second.AssertSuccess("second build");
        StringAssert.Contains(second.Output, "Skipping target \"CapaKitCompile\" because all output files are up-to-date");
        Assert.DoesNotContain("CapaKit: kit 'shop' compiled", second.Output);
        CollectionAssert.AreEquivalent(before.ToList(), kit.BundleTimestamps().ToList(), "a no-op build changed bundle files");
    }

    [TestMethod]
    public void AOneLineChangeRewritesOnlyWhatDependsOnIt()
    {
        var kit = new KitProject("delta", TwoWorkloads, "api", "web");
        kit.Build().AssertSuccess("first build");
        var before = kit.BundleTimestamps();
        var caBefore = File.ReadAllBytes(kit.Bundle("certs/ca.pem"));

        // Give web's start phase full network: only kit.json and web's start policies depend on that line.
        var line = TwoWorkloads.Split('\n').Single(l => l.TrimStart().StartsWith("env_from_options", StringComparison.Ordinal));
        var indent = line[..(line.Length - line.TrimStart().Length)];
        File.WriteAllText(kit.ManifestFile, TwoWorkloads.Replace(line, line + "\n" + indent + "network: full"));
        Assert.AreNotEqual(TwoWorkloads, File.ReadAllText(kit.ManifestFile));
        kit.Build().AssertSuccess("second build");
        var after = kit.BundleTimestamps();

        var changed = after.Where(kv => before[kv.Key] != kv.Value).Select(kv => kv.Key.Replace('\\', '/')).Order().ToList();
        CollectionAssert.AreEqual(new[] { "kit.json", "policies/web.start.linux.json", "policies/web.start.sb" }, changed,
            "changed: " + string.Join(", ", changed));
        CollectionAssert.AreEqual(caBefore, File.ReadAllBytes(kit.Bundle("certs/ca.pem")));
    }

    [TestMethod]
    public void SkillsReachTheBundleAndAnEditedSkillRebuildsIt()
    {
        var kit = new KitProject("skilled", TwoWorkloads.Replace("name: shop", "name: skilled"), "api", "web");
        var skill = Path.Combine(kit.Directory, "skills", "order-lookup", "SKILL.md");
        Directory.CreateDirectory(Path.GetDirectoryName(skill)!);
        File.WriteAllText(skill, "---\nname: order-lookup\ndescription: Looks up shop orders.\n---\nCall GET /orders.\n");
        kit.Build().AssertSuccess("first build");

        Assert.AreEqual(File.ReadAllText(skill), File.ReadAllText(kit.Bundle("skills/order-lookup/SKILL.md")));
        var listed = JsonDocument.Parse(File.ReadAllText(kit.Bundle("kit.json"))).RootElement.GetProperty("skills").EnumerateArray().Single();
        Assert.AreEqual(("order-lookup", "Looks up shop orders.", "skills/order-lookup/SKILL.md"),
            (listed.GetProperty("name").GetString(), listed.GetProperty("description").GetString(), listed.GetProperty("path").GetString()));

        // Only the SKILL.md changed, so only the target's input check can notice it; push its time forward to be sure.
        File.WriteAllText(skill, "---\nname: order-lookup\ndescription: Looks up shop orders by id.\n---\nCall GET /orders/{id}.\n");
        File.SetLastWriteTimeUtc(skill, DateTime.UtcNow.AddSeconds(5));
        kit.Build().AssertSuccess("second build");
        Assert.AreEqual(File.ReadAllText(skill), File.ReadAllText(kit.Bundle("skills/order-lookup/SKILL.md")));
        StringAssert.Contains(File.ReadAllText(kit.Bundle("kit.json")), "Looks up shop orders by id.");
    }

    [TestMethod]
    public void ABrokenSkillFailsTheBuildWithItsFileAndLine()
    {
        var kit = new KitProject("badskill", TwoWorkloads.Replace("name: shop", "name: badskill"), "api", "web");
        var skill = Path.Combine(kit.Directory, "skills", "lookup", "SKILL.md");
        Directory.CreateDirectory(Path.GetDirectoryName(skill)!);
        File.WriteAllText(skill, "---\nname: other\ndescription: x\n---\n");
        var result = kit.Build();
        Assert.AreNotEqual(0, result.ExitCode, result.Output);
        StringAssert.Contains(result.Output, $"{skill}(2,7): error CAPA0402:");
    }

    [TestMethod]
    public void ADeletedBundleFileIsRegenerated()
    {
        var kit = new KitProject("heal", TwoWorkloads, "api", "web");
        kit.Build().AssertSuccess("first build");
        File.Delete(kit.Bundle("policies/api.start.sb"));
        kit.Build().AssertSuccess("second build");
        Assert.IsTrue(File.Exists(kit.Bundle("policies/api.start.sb")));
    }

    [TestMethod]
    public void CleanRemovesTheBundleAndTheNextBuildMintsANewCa()
    {
        var kit = new KitProject("clean", TwoWorkloads, "api", "web");
        kit.Build().AssertSuccess("first build");
        var firstCa = File.ReadAllText(kit.Bundle("certs/ca.pem"));
        kit.Build().AssertSuccess("rebuild");
        Assert.AreEqual(firstCa, File.ReadAllText(kit.Bundle("certs/ca.pem")), "certificates stay across rebuilds");

        DotnetCli.Run(kit.Directory, "clean", kit.ProjectFile).AssertSuccess("dotnet clean");
        Assert.IsFalse(Directory.Exists(kit.BundleDirectory), "clean leaves the bundle behind");

        kit.Build().AssertSuccess("build after clean");
        Assert.AreNotEqual(firstCa, File.ReadAllText(kit.Bundle("certs/ca.pem")));
    }

    [TestMethod]
    public void PackMakesAKitPackageAndAnotherKitCanAddIt()
    {
        var kit = new KitProject("kvstore", TwoWorkloads.Replace("name: shop", "name: kvstore"), "api", "web");
        var nodeModules = Path.Combine(kit.Directory, "workloads", "api", "node_modules", "left-pad");
        Directory.CreateDirectory(nodeModules);
        File.WriteAllText(Path.Combine(nodeModules, "index.js"), "module.exports = 1;\n");
        kit.Build().AssertSuccess("build");

        DotnetCli.Run(kit.Directory, "pack", kit.ProjectFile, "-o", SdkFeed.Feed).AssertSuccess("dotnet pack");
        var package = Path.Combine(SdkFeed.Feed, "kvstore.1.0.0.nupkg");
        Assert.IsTrue(File.Exists(package), "no package at " + package);
        using (var zip = ZipFile.OpenRead(package))
        {
            var entries = zip.Entries.Select(e => e.FullName).ToList();
            CollectionAssert.Contains(entries, "kit/capability.yml");
            CollectionAssert.Contains(entries, "kit/workloads/api/index.ts");
            Assert.IsFalse(entries.Any(e => e.Contains("node_modules")), "node_modules packed: " + string.Join(", ", entries));
            Assert.IsFalse(entries.Any(e => e.EndsWith(".key") || e.EndsWith(".pem") || e.Contains("bin/")), "build output packed");
        }

        var consumer = new KitProject("consumer", TwoWorkloads.Replace("name: shop", "name: consumer"), "api", "web");
        DotnetCli.Run(consumer.Directory, "add", consumer.ProjectFile, "package", "kvstore", "--version", "1.0.0").AssertSuccess("dotnet add package");
        StringAssert.Contains(File.ReadAllText(consumer.ProjectFile), "PackageReference Include=\"kvstore\"");
        consumer.Build().AssertSuccess("build after add package");
    }
}
