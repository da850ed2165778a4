using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CapaKit.Tool.Tests.Support;

namespace CapaKit.Tool.Tests.Runtime;

/// <summary>
/// Both eras of the public workload contract at once (RuntimeKits/eras): <c>mid</c> runs a client of the Mid era that
/// public Kits pin, <c>key</c> one of the newest Key era, each written here from the contract's facts. Each refuses
/// what its era's SDK refuses, so a report at all means the runtime spoke its era; the report says what it found.
/// </summary>
[TestClass]
public sealed class ContractErasTests
{
    [TestMethod]
    public void AMidEraAndAKeyEraWorkloadRunSideBySide()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "RuntimeKits", "eras");
        var kit = TestKit.Create("eras", File.ReadAllText(Path.Combine(folder, "capability.yml")), new Dictionary<string, IReadOnlyDictionary<string, string>>
        {
            ["mid"] = new Dictionary<string, string> { ["client.ts"] = File.ReadAllText(Path.Combine(folder, "mid.ts")) },
            ["key"] = new Dictionary<string, string> { ["client.ts"] = File.ReadAllText(Path.Combine(folder, "key.ts")) },
        });
        var models = Directory.CreateDirectory(Path.Combine(TestMachine.Root, "eras-models-" + Guid.NewGuid().ToString("N")[..6])).FullName;
        using var home = new TempHome();
        var tool = new Capakit(kit, home.Path);
        var token = "eras-token-" + Guid.NewGuid().ToString("N");
        tool.SetSecret("token", token);
        try
        {
            var gateway = tool.Up("--mount", $"models={models}");
            using var http = GatewayHttp.Client(gateway);
            var sha = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

            var mid = http.GetJson("/mid");
            Assert.AreEqual("mid", mid.GetProperty("era").GetString(), mid.ToString());
            Assert.AreEqual("mid", mid.GetProperty("name").GetString());
            AssertModels(mid, models);
            CollectionAssert.AreEqual(new[] { "key" }, mid.GetProperty("peers").EnumerateArray().Select(p => p.GetString()).ToArray());
            Assert.AreEqual("key", mid.GetProperty("peerEra").GetString(), "the Mid-era client found its peer by workloadMid and reached it");
            Assert.AreEqual(sha, mid.GetProperty("tokenSha256").GetString(), "resolve_secret with secret_mid");

            var key = http.GetJson("/key");
            Assert.AreEqual("key", key.GetProperty("era").GetString(), key.ToString());
            Assert.AreEqual("key", key.GetProperty("name").GetString(), "CAPAKIT_WORKLOAD_KEY");
            AssertModels(key, models);
            Assert.AreEqual("null", key.GetProperty("ready").GetString(), "workload_ready is answered with ok: null");
            Assert.AreEqual(sha, key.GetProperty("tokenSha256").GetString(), "resolve_secret with secret_key");
        }
        finally
        {
            tool.Down();
        }
    }

    private static void AssertModels(JsonElement report, string models)
    {
        var mount = report.GetProperty("mounts").GetProperty("models");
        Assert.AreEqual(models, mount.GetProperty("path").GetString(), report.ToString());
        Assert.AreEqual("read_only", mount.GetProperty("access").GetString());
        Assert.AreEqual(models, report.GetProperty("mountVariable").GetString(), "CAPAKIT_MOUNT_MODELS");
    }
}
