using CapaKit.Tool.Tests.Mesh;
using CapaKit.Tool.Tests.Runtime;
using CapaKit.Tool.Tests.Support;

namespace CapaKit.Tool.Tests.Ingress;

/// <summary>
/// A workload's ingress socket lives in a folder its sandbox can write, and the gateway, a peer's mesh connection and
/// the readiness wait all connect to it. These workloads, under a real `up`, put something else at that name: a link to
/// a socket of the host (one this test listens on), a link to a sibling's secrets bridge, their own bridge renamed onto
/// it. No request may get through, no secret may come back, the test's socket must never be connected to, and each
/// refusal is logged under the workload's name.
/// </summary>
[TestClass]
public sealed class IngressAttackTests
{
    [ClassCleanup]
    public static void Down() => IngressKit.DownAll();

    // Guard: the ingress is opened O_PATH|O_NOFOLLOW and must be a socket (CAPA0550), so the link is never followed:
    // the host's socket sees no connection at all (the listener check alone would connect first, then hang up).
    [TestMethod]
    [DataRow(RunAs.Root)]
    [DataRow(RunAs.User)]
    public async Task ALinkToAHostSocketIsNeverFollowed(RunAs who)
    {
        var kit = IngressKit.For(who);
        var folder = Directory.CreateDirectory(Path.Combine(TestMachine.Root, "ih-" + Guid.NewGuid().ToString("N")[..6])).FullName;
        await using var host = RawIngress.Hello(Path.Combine(folder, "host.sock"));
        // Anyone may connect: only the runtime's refusal stands between the workload and this socket.
        File.SetUnixFileMode(host.Path, (UnixFileMode)0b111_111_111);

        kit.Arm("linker", "link=" + Uri.EscapeDataString(host.Path));

        var (status, body) = kit.Post("/linker/rpc", IngressKit.BridgeRequest("victim_key"));
        var call = kit.CallThroughMesh("linker", "victim_key");

        // Connections are accepted in order: once the test's own is, any earlier one would have been counted too.
        using (var client = UnixHttp.Client(host.Path))
        {
            Assert.AreEqual("hello", await client.GetStringAsync("/"));
        }
        Assert.AreEqual(1, host.Accepted, $"something other than the test connected to the host socket the workload linked to; the gateway answered {status}: {body}");
        Assert.AreEqual(502, status, body);
        StringAssert.Contains(body, "CAPA0550: The ingress of 'linker'");
        StringAssert.Contains(body, "is a symbolic link");
        Assert.AreEqual(502, call.GetProperty("status").GetInt32(), call.ToString());
        kit.AssertNoSecretIn(body + call, "the answer");
        StringAssert.Contains(kit.Log("linker"), $"CAPA0550: The ingress of 'linker' at {kit.Instance.Directory}/");
    }

    // Guard: as above (CAPA0550); behind it, the listener check would also refuse (the bridge is the supervisor's).
    [TestMethod]
    [DataRow(RunAs.Root)]
    [DataRow(RunAs.User)]
    public void ALinkToASiblingsSecretsBridgeIsNeverFollowed(RunAs who)
    {
        var kit = IngressKit.For(who);
        // What an attacker would guess from its own CAPAKIT_RUNNER_BRIDGE_BIND (<instance>/w<i>/br.sock); asked here to be sure.
        var victimBridge = kit.Http.GetJson("/victim/bridge").GetProperty("bridge").GetString()!;
        StringAssert.StartsWith(victimBridge, kit.Instance.Directory + "/");

        kit.Arm("thief", "link=" + Uri.EscapeDataString(victimBridge));

        var (status, body) = kit.Post("/thief/rpc", IngressKit.BridgeRequest("victim_key"));
        var call = kit.CallThroughMesh("thief", "victim_key");
        kit.AssertNoSecretIn(body + call, "the answer");
        Assert.AreEqual(502, status, body);
        Assert.AreEqual(502, call.GetProperty("status").GetInt32(), call.ToString());
        StringAssert.Contains(body, "CAPA0550: The ingress of 'thief'");
        StringAssert.Contains(kit.Log("thief"), "CAPA0550: The ingress of 'thief'");
        kit.AssertNoSecretIn(kit.Log("thief") + kit.Log("victim") + kit.Log("peer"), "a log");
    }

    // Guard: SO_PEERCRED of the socket at the name: its listener is the supervisor (the bridge), not a process of
    // renamer's sandbox (CAPA0551). No link is involved, so the no-follow open alone would connect.
    [TestMethod]
    [DataRow(RunAs.Root)]
    [DataRow(RunAs.User)]
    public void ASecretsBridgeRenamedOntoTheIngressIsNotTalkedTo(RunAs who)
    {
        var kit = IngressKit.For(who);

        kit.Arm("renamer", "bridge=1");

        var (status, body) = kit.Post("/renamer/rpc", IngressKit.BridgeRequest("renamer_key"));
        var call = kit.CallThroughMesh("renamer", "renamer_key");
        kit.AssertNoSecretIn(body + call, "the answer");
        Assert.AreEqual(502, status, body);
        Assert.AreEqual(502, call.GetProperty("status").GetInt32(), call.ToString());
        StringAssert.Contains(body, "CAPA0551: The ingress of 'renamer'");
        StringAssert.Contains(body, $"pid {kit.SupervisorPid} ");
        StringAssert.Contains(kit.Log("renamer"), "CAPA0551: The ingress of 'renamer'");
    }

    // Guard: the readiness wait connects the same way: faker's bridge at its ingress name never made it ready, the
    // refusal was logged while `up` waited, and faker became ready only once it listened itself.
    [TestMethod]
    [DataRow(RunAs.Root)]
    [DataRow(RunAs.User)]
    public void ReadinessIsNotReachedThroughAnotherProcesssSocket(RunAs who)
    {
        var kit = IngressKit.For(who);

        Assert.IsTrue(kit.FakerRefusalLogged, $"no refusal in faker's log while up waited ({who}):\n{kit.Log("faker")}");
        Assert.IsFalse(kit.UpEndedBeforeRelease, "up finished while faker's ingress name held only its secrets bridge");
        Assert.AreEqual("starting", kit.FakerStatusMeanwhile);
        var log = kit.Log("faker");
        StringAssert.Contains(log, $"CAPA0551: The ingress of 'faker' at {kit.Instance.Directory}/");
        StringAssert.Contains(log, $"is served by pid {kit.SupervisorPid} ");
        Assert.AreEqual(1, log.Split('\n').Count(l => l.Contains("CAPA0551", StringComparison.Ordinal)), "a refusal repeated by the readiness wait is logged once:\n" + log);
        Assert.AreEqual("faker", kit.Http.GetJson("/faker/whoami").GetProperty("workload").GetString());
    }
}
