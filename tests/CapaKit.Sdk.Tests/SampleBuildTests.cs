using System.Text.Json;

namespace CapaKit.Sdk.Tests;

/// <summary>The repository's sample Kits build against the packed SDK (copied out, so the checkout stays clean).</summary>
[TestClass]
public sealed class SampleBuildTests
{
    [TestMethod]
    [DataRow("hello", new[] { "hello" })]
    [DataRow("todo", new[] { "api", "web" })]
    [DataRow("agents", new[] { "tools", "agent", "model" })]
    [DataRow("kvstore", new[] { "server" })]
    public void SampleBuilds(string sample, string[] workloads)
    {
        var source = Path.Combine(SdkFeed.RepoRoot, "samples", sample);
        var target = Path.Combine(SdkFeed.NewWorkspace("sample"), sample);
        Copy(source, target);
        var project = Path.Combine(target, sample + ".kitproj");
        File.WriteAllText(project, File.ReadAllText(project).Replace("CapaKit.Sdk/0.1.0", $"CapaKit.Sdk/{SdkFeed.Version}"));

        var result = DotnetCli.Run(target, "build", sample + ".kitproj");
        result.AssertSuccess($"building samples/{sample}");
        Assert.DoesNotContain("warning CAPA", result.Output, "a sample must build without warnings");

        var bundle = Path.Combine(target, "bin", "Debug", "kit");
        using var model = JsonDocument.Parse(File.ReadAllText(Path.Combine(bundle, "kit.json")));
        CollectionAssert.AreEquivalent(workloads, model.RootElement.GetProperty("workloads").EnumerateObject().Select(p => p.Name).ToArray());
        foreach (var workload in workloads)
        {
            Assert.IsTrue(File.Exists(Path.Combine(bundle, "policies", workload + ".start.sb")));
            Assert.IsTrue(File.Exists(Path.Combine(bundle, "certs", workload + ".pem")));
        }
    }

    [TestMethod]
    public void TheCompositionSampleImportsThePackedKvStore()
    {
        var workspace = SdkFeed.NewWorkspace("composition");
        foreach (var sample in new[] { "kvstore", "notes" })
        {
            Copy(Path.Combine(SdkFeed.RepoRoot, "samples", sample), Path.Combine(workspace, sample));
            var project = Path.Combine(workspace, sample, sample + ".kitproj");
            File.WriteAllText(project, File.ReadAllText(project).Replace("CapaKit.Sdk/0.1.0", $"CapaKit.Sdk/{SdkFeed.Version}"));
        }
        DotnetCli.Run(Path.Combine(workspace, "kvstore"), "pack", "kvstore.kitproj", "-o", SdkFeed.Feed).AssertSuccess("packing samples/kvstore");
        var result = DotnetCli.Run(Path.Combine(workspace, "notes"), "build", "notes.kitproj");
        result.AssertSuccess("building samples/notes");
        Assert.DoesNotContain("warning", result.Output, "a sample must build without warnings");

        using var model = JsonDocument.Parse(File.ReadAllText(Path.Combine(workspace, "notes", "bin", "Debug", "kit", "kit.json")));
        CollectionAssert.AreEquivalent(new[] { "api", "kv.server" }, model.RootElement.GetProperty("workloads").EnumerateObject().Select(p => p.Name).ToArray());
        Assert.AreEqual("kv.server", model.RootElement.GetProperty("workloadAliases").GetProperty("store").GetString());
        Assert.AreEqual("CapaKit.Samples.KvStore", model.RootElement.GetProperty("dependencies").GetProperty("kv").GetProperty("package").GetString());
    }

    [TestMethod]
    public void SampleProjectsNameTheSdkVersionBeingBuilt()
    {
        foreach (var project in Directory.EnumerateFiles(Path.Combine(SdkFeed.RepoRoot, "samples"), "*.kitproj", SearchOption.AllDirectories))
        {
            StringAssert.StartsWith(File.ReadAllText(project), $"<Project Sdk=\"CapaKit.Sdk/{SdkFeed.Version}\"", project);
        }
    }

    private static void Copy(string from, string to)
    {
        foreach (var dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, dir);
            if (relative.Split(Path.DirectorySeparatorChar).Any(p => p is "node_modules" or "bin" or "obj"))
            {
                continue;
            }
            Directory.CreateDirectory(Path.Combine(to, relative));
        }
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, file);
            if (relative.Split(Path.DirectorySeparatorChar).Any(p => p is "node_modules" or "bin" or "obj"))
            {
                continue;
            }
            File.Copy(file, Path.Combine(to, relative));
        }
    }
}
