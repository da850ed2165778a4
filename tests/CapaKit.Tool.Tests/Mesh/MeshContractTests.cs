using System.Text;
using System.Text.Json;
using CapaKit.Bundle;
using CapaKit.Tool.Mesh;

namespace CapaKit.Tool.Tests.Mesh;

/// <summary>What workloads see of the mesh (CAPAKIT_CONNECTED_WORKLOADS) and the socket path scheme.</summary>
[TestClass]
public sealed class MeshContractTests
{
    [TestMethod]
    public async Task ConnectedWorkloadsListsEveryEndpointOfEachTargetWithItsConnectionSocket()
    {
        using var kit = MeshTestKit.Create(MeshTestKit.KitName,
            new TestWorkload("web", ["api", "agent", "bare"], MeshTestKit.Http),
            new TestWorkload("api", [], MeshTestKit.Http, new EndpointModel { Protocol = "mcp", Path = "/mcp" }),
            new TestWorkload("agent", [], new EndpointModel { Protocol = "oaic", Path = "/v1" }),
            new TestWorkload("bare", []));
        await using var mesh = await kit.StartMeshAsync();

        using var json = JsonDocument.Parse(mesh.ConnectedWorkloadsJson("web"));
        var entries = json.RootElement.EnumerateArray()
            .Select(e => (Mid: e.GetProperty("workloadMid").GetString(), Key: e.GetProperty("workloadKey").GetString(), Endpoint: e.GetProperty("endpoint").GetString(),
                Protocol: e.GetProperty("protocol").GetString(), Bind: e.GetProperty("bind").GetString(), Fields: e.EnumerateObject().Count()))
            .ToList();

        var api = "unix:" + mesh.ConnectionSocket("web", "api");
        var agent = "unix:" + mesh.ConnectionSocket("web", "agent");
        var bare = "unix:" + mesh.ConnectionSocket("web", "bare");
        CollectionAssert.AreEqual(new[]
        {
            ("api", "/", "http", api, 5),
            ("api", "/mcp", "mcp", api, 5),
            ("agent", "/v1", "oaic", agent, 5),
            // No endpoints declared: the connection is still listed so clients that look a peer up by name find it.
            ("bare", "/", "http", bare, 5),
        }, entries.Select(e => (e.Mid, e.Endpoint, e.Protocol, e.Bind, e.Fields)).ToArray());
        // Both eras of the public SDK find a peer: workloadMid (what public Kits pin) and workloadKey (the newest).
        Assert.IsTrue(entries.All(e => e.Key == e.Mid));
        Assert.AreEqual("[]", mesh.ConnectedWorkloadsJson("api"));
        CollectionAssert.AreEquivalent(new[] { api[5..], agent[5..], bare[5..] }, mesh.ConnectionSockets("web").ToArray());
        Assert.ThrowsExactly<ArgumentException>(() => mesh.ConnectedWorkloadsJson("nobody"));
    }

    [TestMethod]
    public void SocketPathsDoNotGrowWithWorkloadNames()
    {
        var runtime = "/run/user/1000/capakit/k-0123456789/m";
        var longName = new string('a', 62) + "1";
        var otherLongName = new string('b', 63);

        var connection = MeshPaths.ConnectionSocket(runtime, longName, otherLongName);
        var inbound = MeshPaths.InboundSocket(runtime, otherLongName);

        Assert.AreEqual(MeshPaths.ConnectionSocket(runtime, "a", "b").Length, connection.Length);
        Assert.AreEqual(MeshPaths.InboundSocket(runtime, "b").Length, inbound.Length);
        Assert.IsLessThanOrEqualTo(107, Encoding.UTF8.GetByteCount(connection));
        Assert.AreNotEqual(connection, MeshPaths.ConnectionSocket(runtime, otherLongName, longName), "direction matters");
        StringAssert.StartsWith(inbound, Path.Combine(runtime, MeshPaths.InboundFolderName) + "/");
    }

    [TestMethod]
    public void ATooLongRuntimeFolderIsRefusedWithAClearError()
    {
        var runtime = "/tmp/" + new string('r', 90);

        var error = Assert.ThrowsExactly<ArgumentException>(() => MeshPaths.ConnectionSocket(runtime, "web", "api"));

        StringAssert.Contains(error.Message, $"over the {MeshPaths.MaxSocketPathBytes}-byte limit of unix socket paths");
        StringAssert.Contains(error.Message, "use a shorter runtime folder");
    }

    [TestMethod]
    public async Task StartingFailsClearlyWhenTheRuntimeFolderIsTooLong()
    {
        using var kit = MeshTestKit.WebApiOther();
        var runtime = Path.Combine(kit.Root, new string('r', 100));

        var error = await Assert.ThrowsExactlyAsync<ArgumentException>(() => WorkloadMesh.StartAsync(
            kit.Bundle, kit.BundleDirectory, runtime, kit.Ingress, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, CancellationToken.None));

        StringAssert.Contains(error.Message, "use a shorter runtime folder");
    }

    [TestMethod]
    public async Task StartingFailsClearlyWhenACertificateIsNotTheWorkloadsOwn()
    {
        using var kit = MeshTestKit.WebApiOther();
        // api's files replaced by other's: a valid Kit certificate, but not api's identity.
        File.Copy(Path.Combine(kit.BundleDirectory, BundleFormat.WorkloadCertificate("other")), Path.Combine(kit.BundleDirectory, BundleFormat.WorkloadCertificate("api")), overwrite: true);
        File.Copy(Path.Combine(kit.BundleDirectory, BundleFormat.WorkloadKey("other")), Path.Combine(kit.BundleDirectory, BundleFormat.WorkloadKey("api")), overwrite: true);

        var error = await Assert.ThrowsExactlyAsync<InvalidDataException>(() => kit.StartMeshAsync());

        StringAssert.Contains(error.Message, $"carries {kit.SpiffeId("other")}, not {kit.SpiffeId("api")}");
        Assert.IsFalse(File.Exists(MeshPaths.ConnectionSocket(kit.RuntimeDirectory, "web", "api")), "nothing is left listening");
    }

    [TestMethod]
    public async Task AConnectionToAnUnknownWorkloadIsRefused()
    {
        using var kit = MeshTestKit.Create(MeshTestKit.KitName, new TestWorkload("web", ["ghost"], MeshTestKit.Http));

        var error = await Assert.ThrowsExactlyAsync<InvalidDataException>(() => kit.StartMeshAsync());

        StringAssert.Contains(error.Message, "Workload 'web' connects to 'ghost', which is not a workload");
    }
}
