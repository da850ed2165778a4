using CapaKit.Tool.Tests.Support;

namespace CapaKit.Tool.Tests.Exec;

/// <summary>The repository's sample workloads install and pass their own `bun test` inside their sandboxes.</summary>
[TestClass]
public sealed class SampleWorkloadTests
{
    [TestMethod]
    [DataRow("hello", "hello")]
    [DataRow("todo", "api")]
    [DataRow("todo", "web")]
    public void BunTestPassesInTheSandbox(string sample, string workload)
    {
        var source = Path.Combine(TestMachine.RepoRoot, "samples", sample);
        var files = new Dictionary<string, IReadOnlyDictionary<string, string>>();
        foreach (var root in Directory.GetDirectories(Path.Combine(source, "workloads")))
        {
            files[Path.GetFileName(root)] = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
                .Where(f => !Path.GetRelativePath(root, f).Split('/').Contains("node_modules"))
                .ToDictionary(f => Path.GetRelativePath(root, f), File.ReadAllText);
        }
        var kit = TestKit.Create(sample, File.ReadAllText(Path.Combine(source, "capability.yml")), files);

        // The todo Kit declares a host mount; bind an empty folder to it.
        string[] mounts = [];
        if (sample == "todo")
        {
            var data = Directory.CreateDirectory(Path.Combine(kit.Directory, "..", $"data-{Guid.NewGuid():N}")).FullName;
            mounts = ["--mount", $"data={data}"];
        }
        var install = ToolProcess.Run(RunAs.Root, kit.Directory,
            ["exec", workload, "--phase", "prepare", "--kit", kit.ProjectFile, .. mounts, "--", "bun", "install", "--frozen-lockfile"], timeout: TimeSpan.FromMinutes(3));
        Assert.AreEqual(0, install.ExitCode, install.ToString());

        var test = ToolProcess.Run(RunAs.Root, kit.Directory, ["exec", workload, "--kit", kit.ProjectFile, .. mounts, "--", "bun", "test"], timeout: TimeSpan.FromMinutes(3));
        Assert.AreEqual(0, test.ExitCode, test.ToString());
        StringAssert.Contains(test.All, " 0 fail");
    }
}
