using System.Text.Json;
using CapaKit.Tool.Tests.Support;

namespace CapaKit.Tool.Tests.Exec;

/// <summary>`dotnet capakit doctor` on this machine, as root and as an ordinary user.</summary>
[TestClass]
public sealed class DoctorTests
{
    [TestMethod]
    [DataRow(RunAs.Root)]
    [DataRow(RunAs.User)]
    public void ReportsWhatTheMachineGivesTheSandbox(RunAs who)
    {
        var result = ToolProcess.Run(who, TestMachine.Root, ["doctor", "--format", "json"]);
        Assert.AreEqual(0, result.ExitCode, result.ToString());
        using var json = JsonDocument.Parse(result.StandardOutput);
        var checks = json.RootElement.EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c);
        foreach (var required in new[] { "bubblewrap", "user namespaces", "seccomp", "prlimit", "bun" })
        {
            Assert.IsTrue(checks.ContainsKey(required), $"doctor has no '{required}' check");
            Assert.IsTrue(checks[required].GetProperty("ok").GetBoolean(), $"{required}: {checks[required].GetProperty("detail").GetString()}");
        }
        StringAssert.Contains(checks["bubblewrap"].GetProperty("detail").GetString(), "bubblewrap");
        Assert.IsTrue(checks.ContainsKey("cgroup limits"), "doctor must say whether cgroup limits apply");

        // What bounds a sandbox's processes: a pids cgroup of its own, or RLIMIT_NPROC on top of the user's running tasks.
        Assert.IsTrue(checks.TryGetValue("process limit", out var processes), "doctor must say what bounds a sandbox's processes");
        var detail = processes.GetProperty("detail").GetString()!;
        if (processes.GetProperty("ok").GetBoolean())
        {
            StringAssert.Matches(detail, new System.Text.RegularExpressions.Regex("pids cgroup|systemd user scope"), detail);
        }
        else
        {
            StringAssert.Contains(detail, "RLIMIT_NPROC = the tasks uid ", detail);
        }
    }

    [TestMethod]
    public void ABrokenBunIsReportedNotThrown()
    {
        var result = ToolProcess.Run(RunAs.Root, TestMachine.Root, ["doctor", "--format", "json"],
            environment: new Dictionary<string, string> { ["CAPAKIT_BUN"] = "/nonexistent/bun" });
        Assert.AreEqual(4, result.ExitCode, result.ToString());
        using var json = JsonDocument.Parse(result.StandardOutput);
        var bun = json.RootElement.EnumerateArray().Single(c => c.GetProperty("name").GetString() == "bun");
        Assert.IsFalse(bun.GetProperty("ok").GetBoolean());
        StringAssert.Contains(bun.GetProperty("detail").GetString(), "CAPAKIT_BUN");
    }
}
