using System.Text.Json;
using CapaKit.Tool.Tests.Support;

namespace CapaKit.Tool.Tests.Exec;

/// <summary>`dotnet capakit exec` end to end: real tool process, real bubblewrap, as root and as an ordinary user.</summary>
[TestClass]
public sealed class ExecTests
{
    private const string Manifest = """
        version: '1'
        name: basics
        options:
          title: {kind: string, default: Basics}
        host_mounts:
          data: {usage: Writable data, access: read_write}
          docs: {usage: Reference documents, access: read_only}
        workloads:
          app:
            mounts:
              - {mount_mid: data, access: read_write}
              - {mount_mid: docs, access: read_only}
            runtime:
              source:
                toolchain: bun
                start:
                  command: bun run index.ts
                  env_from_options: {APP_TITLE: title}
        """;

    private static readonly Dictionary<RunAs, TestKit> Kits = [];
    private static readonly Dictionary<RunAs, (string Data, string Docs)> Folders = [];

    [ClassInitialize]
    public static void BuildKits(TestContext _)
    {
        foreach (var who in new[] { RunAs.Root, RunAs.User })
        {
            Kits[who] = TestKit.Create("basics", Manifest, new Dictionary<string, IReadOnlyDictionary<string, string>>
            {
                ["app"] = new Dictionary<string, string> { ["index.ts"] = "console.log('started');\n" },
            }, who);
            var data = Path.Combine(Kits[who].Directory, "..", $"data-{who}");
            var docs = Path.Combine(Kits[who].Directory, "..", $"docs-{who}");
            Directory.CreateDirectory(data);
            Directory.CreateDirectory(docs);
            File.WriteAllText(Path.Combine(docs, "readme.txt"), "reference\n");
            if (who == RunAs.User)
            {
                TestMachine.Run("chown", "-R", $"{TestMachine.UserName}:{TestMachine.UserName}", data, docs);
            }
            Folders[who] = (Path.GetFullPath(data), Path.GetFullPath(docs));
        }
    }

    private static ToolResult Exec(RunAs who, string[] command, string? stdin = null, params string[] extra)
    {
        var kit = Kits[who];
        var (data, docs) = Folders[who];
        string[] args = ["exec", "app", "--kit", kit.ProjectFile, "--mount", $"data={data}", "--mount", $"docs={docs}", .. extra, "--", .. command];
        return ToolProcess.Run(who, kit.Directory, args, standardInput: stdin);
    }

    [TestMethod]
    [DataRow(RunAs.Root)]
    [DataRow(RunAs.User)]
    public void ExitCodeAndStdoutPassThrough(RunAs who)
    {
        var result = Exec(who, ["/bin/sh", "-c", "echo out; echo err >&2; exit 7"]);
        Assert.AreEqual(7, result.ExitCode, result.ToString());
        Assert.AreEqual("out\n", result.StandardOutput);
        StringAssert.Contains(result.StandardError, "err");
    }

    [TestMethod]
    [DataRow(RunAs.Root)]
    [DataRow(RunAs.User)]
    public void StdinPassesThrough(RunAs who)
    {
        var result = Exec(who, ["/bin/cat"], stdin: "hello from stdin\n");
        Assert.AreEqual(0, result.ExitCode, result.ToString());
        Assert.AreEqual("hello from stdin\n", result.StandardOutput);
    }

    [TestMethod]
    [DataRow(RunAs.Root)]
    [DataRow(RunAs.User)]
    public void WritesLandInTheRootAndTheReadWriteMountOnly(RunAs who)
    {
        var (data, docs) = Folders[who];
        var marker = Guid.NewGuid().ToString("N");
        var result = Exec(who, ["/bin/sh", "-c",
            $"echo {marker} > root-{marker}.txt && echo {marker} > {data}/data-{marker}.txt && (echo x > {docs}/docs-{marker}.txt; echo docs=$?)"]);
        Assert.AreEqual(0, result.ExitCode, result.ToString());
        Assert.AreEqual(marker + "\n", File.ReadAllText(Path.Combine(Kits[who].WorkloadRoot("app"), $"root-{marker}.txt")));
        Assert.AreEqual(marker + "\n", File.ReadAllText(Path.Combine(data, $"data-{marker}.txt")));
        Assert.IsFalse(File.Exists(Path.Combine(docs, $"docs-{marker}.txt")), "the read-only mount was written");
        StringAssert.Matches(result.StandardOutput, new System.Text.RegularExpressions.Regex("docs=[1-9]"), "writing the read-only mount must fail");
    }

    [TestMethod]
    [DataRow(RunAs.Root)]
    [DataRow(RunAs.User)]
    public void TheEnvironmentIsTheContractAndNothingElse(RunAs who)
    {
        var kit = Kits[who];
        var (data, docs) = Folders[who];
        var result = ToolProcess.Run(who, kit.Directory,
            ["exec", "app", "--kit", kit.ProjectFile, "--mount", $"data={data}", "--mount", $"docs={docs}", "--option", "title=Hello there", "--", "/usr/bin/env"],
            environment: new Dictionary<string, string> { ["AWS_SECRET_ACCESS_KEY"] = "host-secret-value" });
        Assert.AreEqual(0, result.ExitCode, result.ToString());
        var env = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "");
        Assert.DoesNotContain("host-secret-value", result.StandardOutput);
        CollectionAssert.AreEquivalent(
            new[]
            {
                "APP_TITLE", "BUN_INSTALL_CACHE_DIR", "CAPAKIT_MOUNTS_JSON", "CAPAKIT_MOUNT_DATA", "CAPAKIT_MOUNT_DOCS", "CAPAKIT_RUNNER_HOST_BACKEND",
                "CAPAKIT_WORKLOAD_HOST_BACKEND", "CAPAKIT_WORKLOAD_KEY", "CAPAKIT_WORKLOAD_MID", "HOME", "LANG", "PATH", "PWD", "TMPDIR", "container",
            },
            env.Keys.ToArray(), string.Join(", ", env.Keys));
        Assert.AreEqual("Hello there", env["APP_TITLE"]);
        Assert.AreEqual("app", env["CAPAKIT_WORKLOAD_MID"]);
        Assert.AreEqual("app", env["CAPAKIT_WORKLOAD_KEY"]);
        Assert.AreEqual(data, env["CAPAKIT_MOUNT_DATA"]);
        Assert.AreEqual(docs, env["CAPAKIT_MOUNT_DOCS"]);
        Assert.AreEqual("linux_sandbox", env["CAPAKIT_RUNNER_HOST_BACKEND"]);
        Assert.AreEqual("capakit", env["container"], "workloads must know their parent pid is the namespace's init");
        StringAssert.StartsWith(env["HOME"], kit.WorkloadRoot("app"));
        using var mounts = JsonDocument.Parse(env["CAPAKIT_MOUNTS_JSON"]);
        Assert.AreEqual(data, mounts.RootElement.GetProperty("data").GetProperty("path").GetString());
        Assert.AreEqual("read_only", mounts.RootElement.GetProperty("docs").GetProperty("access").GetString());
        Assert.AreEqual("docs", mounts.RootElement.GetProperty("docs").GetProperty("key").GetString(), "both SDK eras' field names");
        Assert.AreEqual("docs", mounts.RootElement.GetProperty("docs").GetProperty("mid").GetString());
    }

    [TestMethod]
    [DataRow(RunAs.Root)]
    [DataRow(RunAs.User)]
    public void BunRunsInside(RunAs who)
    {
        var result = Exec(who, ["bun", "-e", "console.log(6*7)"]);
        Assert.AreEqual(0, result.ExitCode, result.ToString());
        Assert.AreEqual("42\n", result.StandardOutput);
    }

    [TestMethod]
    public void ATimedOutCommandIsStoppedWithCode124()
    {
        var result = Exec(RunAs.Root, ["/bin/sleep", "60"], null, "--timeout", "1");
        Assert.AreEqual(124, result.ExitCode, result.ToString());
        StringAssert.Contains(result.StandardError, "time limit");
    }

    [TestMethod]
    public void JsonFormatReportsTheResult()
    {
        var result = Exec(RunAs.Root, ["/bin/sh", "-c", "echo hi; exit 3"], null, "--format", "json");
        Assert.AreEqual(3, result.ExitCode, result.ToString());
        using var json = JsonDocument.Parse(result.StandardOutput);
        Assert.AreEqual(3, json.RootElement.GetProperty("exitCode").GetInt32());
        Assert.AreEqual("hi\n", json.RootElement.GetProperty("stdout").GetString());
        Assert.IsFalse(json.RootElement.GetProperty("timedOut").GetBoolean());
    }

    [TestMethod]
    public void TheDebugVariablePrintsTheWholePolicy()
    {
        var kit = Kits[RunAs.Root];
        var (data, docs) = Folders[RunAs.Root];
        var result = ToolProcess.Run(RunAs.Root, kit.Directory,
            ["exec", "app", "--kit", kit.ProjectFile, "--mount", $"data={data}", "--mount", $"docs={docs}", "--", "/bin/true"],
            environment: new Dictionary<string, string> { ["CAPAKIT_DEBUG_SEATBELT_POLICY"] = "1" });
        Assert.AreEqual(0, result.ExitCode, result.ToString());
        StringAssert.Contains(result.StandardError, "/usr/bin/bwrap");
        StringAssert.Contains(result.StandardError, "--unshare-net");
        StringAssert.Contains(result.StandardError, "seccomp rules:");
        StringAssert.Contains(result.StandardError, "ptrace");
    }

    [TestMethod]
    public void MistakesGetOneSentenceAndTheirExitCode()
    {
        var kit = Kits[RunAs.Root];
        var unknown = ToolProcess.Run(RunAs.Root, kit.Directory, ["exec", "nope", "--kit", kit.ProjectFile, "--", "/bin/true"]);
        Assert.AreEqual(2, unknown.ExitCode, unknown.ToString());
        StringAssert.Contains(unknown.StandardError, "no workload 'nope'");

        var noMount = ToolProcess.Run(RunAs.Root, kit.Directory, ["exec", "app", "--kit", kit.ProjectFile, "--", "/bin/true"]);
        Assert.AreEqual(2, noMount.ExitCode, noMount.ToString());
        StringAssert.Contains(noMount.StandardError, "--mount data=");

        var notFound = Exec(RunAs.Root, ["/no/such/program"]);
        Assert.AreNotEqual(0, notFound.ExitCode);
    }
}
