using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CapaKit.Tool.Sandbox.Linux;
using CapaKit.Tool.Tests.Support;

namespace CapaKit.Tool.Tests.Runtime;

/// <summary>
/// The probe Kit (RuntimeKits/probe): caller → target over a declared connection, caller may resolve the secret
/// `token`, loner has neither. Each workload reports from inside its sandbox what it can reach and resolve.
/// </summary>
[TestClass]
public sealed class ProbeKitTests
{
    private sealed class RunningProbe : IDisposable
    {
        private readonly TempHome _home = new();

        public RunningProbe(IReadOnlyDictionary<string, string>? environment = null)
        {
            Kit = RuntimeKits.Probe();
            Tool = new Capakit(Kit, _home.Path, environment);
            try
            {
                Tool.SetSecret("token", Token);
                Tool.SetSecret("other", Other);
                Gateway = Tool.Up();
            }
            catch
            {
                // A half-started Kit must not outlive a failed start.
                Tool.Down();
                _home.Dispose();
                throw;
            }
            Http = GatewayHttp.Client(Gateway);
        }

        public TestKit Kit { get; }
        public Capakit Tool { get; }
        public Uri Gateway { get; }
        public HttpClient Http { get; }
        public string Token { get; } = "probe-token-" + Guid.NewGuid().ToString("N");
        public string Other { get; } = "probe-other-" + Guid.NewGuid().ToString("N");

        public JsonElement Get(string workload, string path) => Http.GetJson($"/{workload}{path}");

        public void Dispose()
        {
            Http.Dispose();
            Tool.Down();
            _home.Dispose();
        }
    }

    private static string Sha256(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));

    [TestMethod]
    public void WorkloadsReachOnlyTheirConnectionsAndResolveOnlyTheirSecrets()
    {
        var hostMarker = "host-only-" + Guid.NewGuid().ToString("N");
        using var probe = new RunningProbe(new Dictionary<string, string> { ["CAPAKIT_TEST_HOST_MARKER"] = hostMarker });

        // caller → target over its declared connection: target answers through the mesh.
        var callerConnect = probe.Get("caller", "/probe/connect");
        var connected = callerConnect.GetProperty("connected").EnumerateArray().ToList();
        Assert.HasCount(1, connected, callerConnect.ToString());
        Assert.AreEqual("target", connected[0].GetProperty("workloadMid").GetString());
        var http = connected[0].GetProperty("http");
        Assert.IsTrue(http.GetProperty("ok").GetBoolean(), callerConnect.ToString());
        Assert.AreEqual(200, http.GetProperty("status").GetInt32(), callerConnect.ToString());
        Assert.AreEqual("target", JsonDocument.Parse(http.GetProperty("body").GetString()!).RootElement.GetProperty("workload").GetString());

        // The connection socket is a mesh socket of this Kit's instance folder on the host.
        var connectionSocket = connected[0].GetProperty("bind").GetString()!["unix:".Length..];
        var instance = RuntimeKits.Instance(probe.Kit);
        Assert.AreEqual(instance.MeshDirectory, Path.GetDirectoryName(connectionSocket));
        CollectionAssert.Contains(Directory.GetFiles(instance.MeshDirectory, "c*.sock"), connectionSocket);
        var callerBridge = probe.Get("caller", "/probe/env").GetProperty("CAPAKIT_RUNNER_BRIDGE_BIND").GetString()!["unix:".Length..];

        // loner declared nothing: no connected workloads, and caller's sockets are not inside its sandbox at all.
        var lonerConnect = probe.Get("loner", $"/probe/connect?path={Uri.EscapeDataString(connectionSocket)}&path={Uri.EscapeDataString(callerBridge)}");
        Assert.AreEqual("[]", lonerConnect.GetProperty("connectedWorkloads").GetString(), lonerConnect.ToString());
        Assert.AreEqual(0, lonerConnect.GetProperty("connected").GetArrayLength(), lonerConnect.ToString());
        var attempts = lonerConnect.GetProperty("paths").EnumerateArray().ToList();
        Assert.HasCount(2, attempts, lonerConnect.ToString());
        foreach (var attempt in attempts)
        {
            Assert.IsFalse(attempt.GetProperty("exists").GetBoolean(), attempt.ToString());
            var connect = attempt.GetProperty("connect");
            Assert.IsFalse(connect.GetProperty("ok").GetBoolean(), attempt.ToString());
            Assert.AreEqual("ENOENT", connect.GetProperty("code").GetString(), attempt.ToString());
            Assert.IsFalse(attempt.GetProperty("http").GetProperty("ok").GetBoolean(), attempt.ToString());
        }
        Assert.AreEqual("[]", probe.Get("target", "/probe/connect").GetProperty("connectedWorkloads").GetString());

        // Secrets: caller resolves token (the right value); `other` is granted to nobody; loner may resolve nothing.
        var token = probe.Get("caller", "/probe/secret?name=token");
        Assert.IsTrue(token.GetProperty("ok").GetBoolean(), token.ToString());
        Assert.AreEqual(Sha256(probe.Token), token.GetProperty("sha256").GetString());
        foreach (var (workload, secret) in new[] { ("caller", "other"), ("loner", "token"), ("loner", "other"), ("target", "token") })
        {
            var refused = probe.Get(workload, $"/probe/secret?name={secret}");
            Assert.IsFalse(refused.GetProperty("ok").GetBoolean(), $"{workload} resolved {secret}: {refused}");
            StringAssert.Contains(refused.GetProperty("error").GetString(), "not declared", refused.ToString());
        }

        // No environment carries a secret, or anything of the host's environment.
        foreach (var workload in new[] { "caller", "target", "loner" })
        {
            var env = probe.Get(workload, "/probe/env");
            Assert.AreEqual(workload, env.GetProperty("CAPAKIT_WORKLOAD_MID").GetString());
            var text = env.GetRawText();
            Assert.DoesNotContain(probe.Token, text, workload);
            Assert.DoesNotContain(probe.Other, text, workload);
            Assert.DoesNotContain(hostMarker, text, workload);
        }

        // Nor do the Kit's logs, ps, the state and supervisor log files, or any command line of the Kit.
        var logs = probe.Tool.Run("logs");
        Assert.AreEqual(0, logs.ExitCode, logs.ToString());
        StringAssert.Contains(logs.StandardOutput, "caller | ");
        StringAssert.Contains(logs.StandardOutput, "[caller] GET /probe/secret");
        var ps = probe.Tool.Run("ps", "--format", "json");
        Assert.AreEqual(0, ps.ExitCode, ps.ToString());
        string[] seen = [logs.All, ps.All, File.ReadAllText(instance.StateFile), File.ReadAllText(instance.SupervisorLog), .. HostProcessTable.OfKit(probe.Kit)];
        foreach (var text in seen)
        {
            Assert.DoesNotContain(probe.Token, text);
            Assert.DoesNotContain(probe.Other, text);
        }
    }

    [TestMethod]
    public void AKilledWorkloadIsRestartedAndAKilledSupervisorTakesItsSandboxesWithIt()
    {
        using var probe = new RunningProbe();
        var entry = probe.Tool.PsByGateway(probe.Gateway);
        var supervisorPid = entry.GetProperty("pid").GetInt32();
        var firstPid = entry.GetProperty("workloads").GetProperty("target").GetProperty("pid").GetInt32();

        Native.Kill(firstPid, Native.SIGKILL);
        var restarted = Poll.Until(() =>
        {
            var target = probe.Tool.Ps(supervisorPid)?.GetProperty("workloads").GetProperty("target");
            return target is { } t && t.GetProperty("status").GetString() == "ready" && t.GetProperty("restarts").GetInt32() >= 1
                && t.GetProperty("pid").ValueKind == JsonValueKind.Number && t.GetProperty("pid").GetInt32() != firstPid ? t : (JsonElement?)null;
        }, TimeSpan.FromSeconds(30));
        Assert.IsNotNull(restarted, "target was not ready again with restarts >= 1: " + probe.Tool.Ps(supervisorPid));
        Assert.AreEqual(137, restarted.Value.GetProperty("lastExitCode").GetInt32(), restarted.ToString());

        var logs = probe.Tool.Run("logs", "target");
        Assert.AreEqual(0, logs.ExitCode, logs.ToString());
        StringAssert.Contains(logs.StandardOutput, "exited with code 137");
        StringAssert.Contains(logs.StandardOutput, "restarting in");

        // The restarted target is reachable again, through the gateway and through caller's connection.
        Assert.AreEqual("target", probe.Get("target", "/probe/whoami").GetProperty("workload").GetString());
        var http = probe.Get("caller", "/probe/connect").GetProperty("connected")[0].GetProperty("http");
        Assert.AreEqual(200, http.GetProperty("status").GetInt32(), http.ToString());
        // The others were left alone.
        var others = probe.Tool.Ps(supervisorPid)!.Value.GetProperty("workloads");
        Assert.AreEqual(0, others.GetProperty("caller").GetProperty("restarts").GetInt32(), others.ToString());
        Assert.AreEqual(0, others.GetProperty("loner").GetProperty("restarts").GetInt32(), others.ToString());

        // SIGKILL the supervisor: no orderly stop, yet every sandbox goes with it (bwrap --die-with-parent).
        // (The scan sees the sandboxed commands themselves, not only their bwrap launchers.)
        Assert.AreEqual(3, HostProcessTable.OfKit(probe.Kit).Count(p => p.EndsWith(": bun run probe.ts ", StringComparison.Ordinal)),
            string.Join("\n", HostProcessTable.OfKit(probe.Kit)));
        Native.Kill(supervisorPid, Native.SIGKILL);
        var left = HostProcessTable.WaitUntilKitGone(probe.Kit, TimeSpan.FromSeconds(15));
        Assert.IsEmpty(left, "processes of the Kit left after its supervisor was killed:\n" + string.Join("\n", left));
        Assert.IsNull(probe.Tool.Ps(supervisorPid), "ps still lists a Kit whose supervisor is dead");
        var down = probe.Tool.Run("down");
        Assert.AreEqual(0, down.ExitCode, down.ToString());
        StringAssert.Contains(down.StandardError, "is not running");

        // The crashed run's sockets and state are in the way of nothing: the Kit comes up again and works.
        var gateway = probe.Tool.Up();
        using var client = GatewayHttp.Client(gateway);
        var again = client.GetJson("/caller/probe/connect").GetProperty("connected")[0].GetProperty("http");
        Assert.AreEqual(200, again.GetProperty("status").GetInt32(), again.ToString());
    }

    [TestMethod]
    public void LogsFollowPrintsNewLinesAsTheyAreWritten()
    {
        using var probe = new RunningProbe();
        using var follow = probe.Tool.Start("logs", "-f");
        // What was written so far comes first, each line prefixed with its workload.
        follow.WaitForLine(l => l.StartsWith("caller | ", StringComparison.Ordinal) && l.Contains("probe listening", StringComparison.Ordinal), TimeSpan.FromSeconds(20));

        var marker = "marker-" + Guid.NewGuid().ToString("N");
        probe.Get("loner", $"/probe/log?msg={marker}");
        var line = follow.WaitForLine(l => l.Contains(marker, StringComparison.Ordinal), TimeSpan.FromSeconds(20));
        StringAssert.StartsWith(line, "loner | ");
        StringAssert.Contains(line, $"[loner] note: {marker}");
        Assert.IsFalse(follow.HasExited, "logs -f stopped by itself");
    }

    /// <summary>
    /// Regression: bwrap's --die-with-parent follows the thread that forked it; sandboxes started from thread-pool
    /// threads were SIGKILLed when the pool retired those threads (about 40 s after `up` on a quiet Kit). A short
    /// thread timeout makes the pool retire its idle threads within a second.
    /// </summary>
    [TestMethod]
    public void QuietWorkloadsSurviveTheSupervisorsIdleThreadsRetiring()
    {
        using var probe = new RunningProbe(new Dictionary<string, string> { ["DOTNET_ThreadPool_ThreadTimeoutMs"] = "200" });
        var supervisorPid = probe.Tool.PsByGateway(probe.Gateway).GetProperty("pid").GetInt32();

        // Nothing to wait for here but the absence of a restart: give the pool a few rounds of retiring idle threads.
        var restarted = Poll.Until(() => probe.Tool.Ps(supervisorPid)?.GetProperty("workloads").EnumerateObject()
            .Where(w => w.Value.GetProperty("restarts").GetInt32() > 0 || w.Value.GetProperty("status").GetString() != "ready")
            .Select(w => w.Name).FirstOrDefault(),
            TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(500));
        Assert.IsNull(restarted, $"workload {restarted} was restarted or stopped while idle:\n{probe.Tool.Run("logs")}");
        Assert.AreEqual("target", probe.Get("caller", "/probe/connect").GetProperty("connected")[0].GetProperty("workloadMid").GetString());
    }
}
