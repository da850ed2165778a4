using System.ClientModel;
using System.Net.Http.Json;
using System.Text.Json;
using CapaKit.Tool.Tests.Support;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using OpenAI;
using OpenAI.Chat;

namespace CapaKit.Tool.Tests.Runtime;

/// <summary>
/// samples/agents run as a whole Kit: an MCP tool server (official TypeScript SDK), an A2A agent and an
/// OpenAI-compatible model behind one gateway, driven with the C# MCP client, plain HTTP and the OpenAI client.
/// </summary>
[TestClass]
public sealed class AgentsSampleTests
{
    [TestMethod]
    public async Task UpServesMcpA2aAndOpenAiThroughOneGateway()
    {
        var kit = RuntimeKits.Sample("agents");
        var capakit = new Capakit(kit);
        try
        {
            var gateway = capakit.Up();
            var entry = capakit.PsByGateway(gateway);
            Assert.AreEqual("ready", entry.GetProperty("status").GetString(), entry.ToString());

            // MCP: the merged endpoint names the tool `<path>.<tool>`.
            await using (var transport = new HttpClientTransport(new HttpClientTransportOptions { Endpoint = new Uri(gateway, "/mcp/all"), Name = "agents-test" }))
            await using (var client = await McpClient.CreateAsync(transport))
            {
                var tools = await client.ListToolsAsync();
                Assert.Contains("tools.word_count", tools.Select(t => t.Name).ToList());
                var result = await client.CallToolAsync("tools.word_count", new Dictionary<string, object?> { ["text"] = "one two three four" });
                Assert.AreNotEqual(true, result.IsError);
                Assert.AreEqual("4", string.Concat(result.Content.OfType<TextContentBlock>().Select(t => t.Text)));
            }

            // A2A: the card's url is rewritten to the gateway; message/send answers the reversed text.
            using (var http = GatewayHttp.Client(gateway))
            {
                var card = http.GetJson("/agent/.well-known/agent-card.json");
                Assert.AreEqual("reverser", card.GetProperty("name").GetString());
                Assert.AreEqual(new Uri(gateway, "/agent").ToString().TrimEnd('/'), card.GetProperty("url").GetString()!.TrimEnd('/'));

                var send = new
                {
                    jsonrpc = "2.0",
                    id = 1,
                    method = "message/send",
                    @params = new { message = new { kind = "message", role = "user", messageId = "m1", parts = new[] { new { kind = "text", text = "capakit" } } } },
                };
                using var response = await http.PostAsJsonAsync("/agent", send);
                var body = await response.Content.ReadAsStringAsync();
                Assert.AreEqual(200, (int)response.StatusCode, body);
                using var answer = JsonDocument.Parse(body);
                var part = answer.RootElement.GetProperty("result").GetProperty("parts")[0];
                Assert.AreEqual("tikapac", part.GetProperty("text").GetString(), body);
            }

            // OpenAI-compatible: the gateway's /v1 routes by model.
            var options = new OpenAIClientOptions { Endpoint = new Uri(gateway, "v1") };
            var chat = new ChatClient("echo-1", new ApiKeyCredential("x"), options);
            ChatCompletion completion = await chat.CompleteChatAsync([new UserChatMessage("hello there")]);
            Assert.AreEqual("echo: hello there", completion.Content[0].Text);
            Assert.AreEqual(ChatFinishReason.Stop, completion.FinishReason);

            List<string> parts = [];
            await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("stream these words")]))
            {
                parts.AddRange(update.ContentUpdate.Select(c => c.Text));
            }
            Assert.AreEqual("echo: stream these words", string.Concat(parts));
            Assert.IsGreaterThan(3, parts.Count(p => p.Length > 0), "streamed word by word");

            var down = capakit.Run("down");
            Assert.AreEqual(0, down.ExitCode, down.ToString());
            var left = HostProcessTable.WaitUntilKitGone(kit, TimeSpan.FromSeconds(15));
            Assert.IsEmpty(left, "processes of the Kit left after down:\n" + string.Join("\n", left));
        }
        finally
        {
            capakit.Down();
        }
        Assert.IsEmpty(HostProcessTable.OfKit(kit));
    }

    [TestMethod]
    public void TestCommandRunsTheSamplesOwnTests()
    {
        var kit = RuntimeKits.Sample("agents");
        var capakit = new Capakit(kit);
        try
        {
            var test = capakit.Run("test", kit.ProjectFile);
            Assert.AreEqual(0, test.ExitCode, test.ToString());
            StringAssert.Contains(test.All, "4 passed, 0 failed");
            var left = HostProcessTable.WaitUntilKitGone(kit, TimeSpan.FromSeconds(15));
            Assert.IsEmpty(left, "processes of the Kit left after test:\n" + string.Join("\n", left));
        }
        finally
        {
            capakit.Down();
        }
    }
}
