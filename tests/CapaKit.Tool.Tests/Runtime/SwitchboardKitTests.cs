using System.Text.Json;
using System.Threading.Channels;
using CapaKit.Tool.Tests.Support;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace CapaKit.Tool.Tests.Runtime;

/// <summary>
/// The switchboard Kit (two MCP workloads and an OpenAI-compatible one) under a real `up -d`: the gateway's merged
/// MCP endpoint follows workloads as they crash and come back, and `up`/`ps` name the protocol URLs.
/// </summary>
[TestClass]
public sealed class SwitchboardKitTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [Timeout(300_000, CooperativeCancellation = true)]
    public async Task MergedMcpNotifiesClientsWhenABackingWorkloadDiesAndComesBack_AndListsTheToolsOfTheMoment()
    {
        var ct = TestContext.CancellationToken;
        var kit = RuntimeKits.Switchboard();
        var capakit = new Capakit(kit);
        try
        {
            var gateway = capakit.Up();
            var changes = Channel.CreateUnbounded<JsonRpcNotification>();
            await using var client = await McpClient.CreateAsync(
                new HttpClientTransport(new HttpClientTransportOptions
                {
                    Endpoint = new Uri(gateway, "mcp/all"),
                    Name = "switchboard-test",
                    TransportMode = HttpTransportMode.StreamableHttp,
                }),
                new McpClientOptions
                {
                    Handlers = new McpClientHandlers
                    {
                        NotificationHandlers =
                        [
                            new(NotificationMethods.ToolListChangedNotification, (n, _) => { changes.Writer.TryWrite(n); return ValueTask.CompletedTask; }),
                        ],
                    },
                },
                cancellationToken: ct);
            Assert.IsTrue(client.ServerCapabilities.Tools?.ListChanged ?? false, "/mcp/all announces tools.listChanged");

            // The gateway sends one notification as the client's stream opens: from then on no change can be missed.
            await NextChangeAsync(changes, ct);
            CollectionAssert.AreEqual(new[] { "alpha.whoami", "beta.whoami" }, await ToolNamesAsync(client, ct));

            // beta crashes; while the file `hold` exists its restart waits before listening (status "starting").
            File.WriteAllText(Path.Combine(kit.WorkloadRoot("beta"), "hold"), "");
            var beta = capakit.PsByGateway(gateway).GetProperty("workloads").GetProperty("beta");
            var pid = beta.GetProperty("pid").GetInt32();
            TestMachine.Run("/bin/kill", "-KILL", pid.ToString());

            await NextChangeAsync(changes, ct);
            CollectionAssert.AreEqual(new[] { "alpha.whoami" }, await ToolNamesAsync(client, ct), "a stopped workload's tools are not listed");
            var call = await client.CallToolAsync("beta.whoami", new Dictionary<string, object?>(), cancellationToken: ct).AsTask()
                .ContinueWith(t => t.Exception?.InnerException?.Message ?? "succeeded", ct);
            StringAssert.Contains(call, "Workload 'beta' is not running.");

            await WaitUntilAsync(() => capakit.PsByGateway(gateway).GetProperty("workloads").GetProperty("beta") is var w
                && w.GetProperty("restarts").GetInt32() == 1 && w.GetProperty("status").GetString() == "starting", "beta restarts and waits on its hold file", ct);
            File.Delete(Path.Combine(kit.WorkloadRoot("beta"), "hold"));

            await NextChangeAsync(changes, ct);
            CollectionAssert.AreEqual(new[] { "alpha.whoami", "beta.whoami" }, await ToolNamesAsync(client, ct), "beta's tools are back once it is ready");
            var whoami = await client.CallToolAsync("beta.whoami", new Dictionary<string, object?>(), cancellationToken: ct);
            Assert.AreEqual("beta", string.Concat(whoami.Content.OfType<TextContentBlock>().Select(c => c.Text)));

            // The oaic workload is not behind /mcp/all: its crash tells MCP clients nothing.
            var model = capakit.PsByGateway(gateway).GetProperty("workloads").GetProperty("model").GetProperty("pid").GetInt32();
            TestMachine.Run("/bin/kill", "-KILL", model.ToString());
            await WaitUntilAsync(() => capakit.PsByGateway(gateway).GetProperty("workloads").GetProperty("model") is var w
                && w.GetProperty("restarts").GetInt32() == 1 && w.GetProperty("status").GetString() == "ready", "model comes back", ct);
            Assert.IsFalse(changes.Reader.TryRead(out _), "a workload without an mcp expose does not change the merged tool list");
        }
        finally
        {
            capakit.Down();
        }
    }

    [TestMethod]
    [Timeout(300_000, CooperativeCancellation = true)]
    public async Task UpAndPsNameTheMergedMcpAndOpenAiUrls()
    {
        var kit = RuntimeKits.Switchboard();
        var capakit = new Capakit(kit);
        try
        {
            var up = capakit.Run("up", "-d");
            Assert.AreEqual(0, up.ExitCode, up.ToString());
            var gateway = new Uri(System.Text.RegularExpressions.Regex.Match(up.StandardError, @"http://127\.0\.0\.1:\d+/").Value);
            StringAssert.Contains(up.StandardError, $"MCP (all tools)  {new Uri(gateway, "mcp/all")}", up.ToString());
            StringAssert.Contains(up.StandardError, $"OpenAI base URL  {new Uri(gateway, "v1")}", up.ToString());

            var ps = capakit.PsByGateway(gateway);
            Assert.AreEqual(new Uri(gateway, "mcp/all").ToString(), ps.GetProperty("mergedMcpUrl").GetString());
            Assert.AreEqual(new Uri(gateway, "v1").ToString(), ps.GetProperty("openAiBaseUrl").GetString());

            // The OpenAI base URL is what an OpenAI client is given: its /models answers through the gateway.
            using var http = new HttpClient();
            var models = await http.GetStringAsync(new Uri(gateway, "v1/models"), TestContext.CancellationToken);
            StringAssert.Contains(models, "model-model");

            Assert.AreEqual(0, capakit.Run("down").ExitCode);
            var json = capakit.Run("up", "-d", "--format", "json");
            Assert.AreEqual(0, json.ExitCode, json.ToString());
            using var doc = JsonDocument.Parse(json.StandardOutput);
            Assert.AreEqual(new Uri(gateway, "mcp/all").ToString(), doc.RootElement.GetProperty("mergedMcpUrl").GetString());
            Assert.AreEqual(new Uri(gateway, "v1").ToString(), doc.RootElement.GetProperty("openAiBaseUrl").GetString());
        }
        finally
        {
            capakit.Down();
        }
    }

    private static async Task<string[]> ToolNamesAsync(McpClient client, CancellationToken ct) =>
        [.. (await client.ListToolsAsync(cancellationToken: ct)).Select(t => t.Name).Order(StringComparer.Ordinal)];

    private static async Task NextChangeAsync(Channel<JsonRpcNotification> changes, CancellationToken ct)
    {
        try
        {
            await changes.Reader.ReadAsync(ct).AsTask().WaitAsync(Bound, ct);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"no notifications/tools/list_changed within {Bound.TotalSeconds:0} s");
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what, CancellationToken ct)
    {
        var deadline = DateTimeOffset.UtcNow + Bound;
        while (!condition())
        {
            Assert.IsTrue(DateTimeOffset.UtcNow < deadline, $"timed out waiting until {what}");
            await Task.Delay(100, ct);
        }
    }
}
