using System.Diagnostics;
using CapaKit.Tool.Tests.Support;

namespace CapaKit.Tool.Tests.Exec;

/// <summary>Per-phase behaviour: installs reach the npm registry through the egress proxy, start has no network, signals reach the command.</summary>
[TestClass]
public sealed class PhaseTests
{
    private const string Manifest = """
        version: '1'
        name: phases
        workloads:
          app:
            runtime:
              source:
                toolchain: bun
                prepare: {command: bun install}
                start: {command: bun run index.ts}
        """;

    private static readonly Dictionary<string, string> AppFiles = new()
    {
        ["index.ts"] = "import isNumber from 'is-number';\nconsole.log(isNumber(5) ? 'number' : 'not');\n",
        ["package.json"] = """{ "name": "app", "private": true, "dependencies": { "is-number": "7.0.0" } }""" + "\n",
    };

    private static TestKit NewKit(RunAs owner) =>
        TestKit.Create("phases", Manifest, new Dictionary<string, IReadOnlyDictionary<string, string>> { ["app"] = AppFiles }, owner);

    [TestMethod]
    [DataRow(RunAs.Root)]
    [DataRow(RunAs.User)]
    public void PrepareInstallsARealPackageFromTheNpmRegistry(RunAs who)
    {
        var kit = NewKit(who);
        var install = ToolProcess.Run(who, kit.Directory, ["exec", "app", "--phase", "prepare", "--kit", kit.ProjectFile, "--", "bun", "install"],
            timeout: TimeSpan.FromMinutes(3));
        Assert.AreEqual(0, install.ExitCode, install.ToString());
        Assert.IsTrue(File.Exists(Path.Combine(kit.WorkloadRoot("app"), "node_modules", "is-number", "package.json")), install.ToString());
        Assert.IsTrue(Directory.Exists(Path.Combine(kit.WorkloadRoot("app"), ".capakit", "bun-cache")), "Bun's cache belongs in the workload's own area");

        // The installed package then runs in the start phase, which has no network at all.
        var run = ToolProcess.Run(who, kit.Directory, ["exec", "app", "--kit", kit.ProjectFile, "--", "bun", "run", "index.ts"]);
        Assert.AreEqual(0, run.ExitCode, run.ToString());
        Assert.AreEqual("number\n", run.StandardOutput);
    }

    [TestMethod]
    public void StartHasNoNetworkSoAnInstallFails()
    {
        var kit = NewKit(RunAs.Root);
        var install = ToolProcess.Run(RunAs.Root, kit.Directory,
            ["exec", "app", "--kit", kit.ProjectFile, "--timeout", "60", "--", "bun", "install", "--no-cache"]);
        Assert.AreNotEqual(0, install.ExitCode, install.ToString());
        Assert.AreNotEqual(124, install.ExitCode, "the install must fail, not hang until the time limit");
        Assert.IsFalse(Directory.Exists(Path.Combine(kit.WorkloadRoot("app"), "node_modules", "is-number")));
    }

    [TestMethod]
    public void CtrlCReachesTheCommandInside()
    {
        var kit = NewKit(RunAs.Root);
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { ToolProcess.ToolDll, "exec", "app", "--kit", kit.ProjectFile, "--", "/bin/sh", "-c",
                     "trap 'echo got-int; exit 5' INT; echo ready; while :; do sleep 0.1; done" })
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["CAPAKIT_BUN"] = TestMachine.Bun;
        using var tool = Process.Start(start)!;
        var stderr = tool.StandardError.ReadToEndAsync();
        Assert.AreEqual("ready", tool.StandardOutput.ReadLine());

        TestMachine.Run("/bin/kill", "-INT", tool.Id.ToString());
        var rest = tool.StandardOutput.ReadToEnd();
        Assert.IsTrue(tool.WaitForExit(TimeSpan.FromSeconds(30)), "the tool did not stop after Ctrl-C");
        Assert.AreEqual(5, tool.ExitCode, rest + stderr.Result);
        StringAssert.Contains(rest, "got-int");
    }
}
