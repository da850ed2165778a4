using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CapaKit.Bundle;
using CapaKit.Tool.Gateway;
using Microsoft.AspNetCore.Http;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using static CapaKit.Tool.Tests.Gateway.GatewayTestKits;

namespace CapaKit.Tool.Tests.Gateway;

/// <summary>The gateway's protocol endpoints: merged MCP at <c>/mcp/all</c>, A2A agent cards, merged OpenAI-compatible <c>/v1</c>.</summary>
[TestClass]
public sealed class GatewayProtocolTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    // ---- MCP -------------------------------------------------------------------------------------------

    private static KitBundle McpKit() => Kit("/nonexistent/mcp",
        [Workload("math", ("mcp", "/mcp")), Workload("text", ("mcp", "/mcp"))],
        Expose("/mcp", "math", "mcp"), Expose("/tools/text", "text", "mcp"));

    private static Dictionary<string, RequestDelegate> McpUpstreams() => new()
    {
        ["math"] = McpServer("math", ("add", args => (args["a"]!.GetValue<int>() + args["b"]!.GetValue<int>()).ToString())),
        ["text"] = McpServer("text", ("upper", args => args["text"]!.GetValue<string>().ToUpperInvariant()), ("reverse", args => new string([.. args["text"]!.GetValue<string>().Reverse()]))),
    };

    [TestMethod]
    public async Task MergedMcp_ListsBothServersToolsUnderPrefixedNames_AndCallsThrough()
    {
        await using var harness = await GatewayHarness.StartAsync(McpKit(), McpUpstreams());
        await using var client = await ConnectAsync(harness);

        var names = (await client.ListToolsAsync()).Select(t => t.Name).Order(StringComparer.Ordinal).ToList();
        CollectionAssert.AreEqual(new[] { "mcp.add", "tools.text.reverse", "tools.text.upper" }, names);

        var sum = await client.CallToolAsync("mcp.add", new Dictionary<string, object?> { ["a"] = 2, ["b"] = 40 });
        Assert.AreEqual("math:42", Text(sum));
        var upper = await client.CallToolAsync("tools.text.upper", new Dictionary<string, object?> { ["text"] = "hello" });
        Assert.AreEqual("text:HELLO", Text(upper));
    }

    [TestMethod]
    public async Task MergedMcp_ReListsAsWorkloadsStopAndStart()
    {
        await using var harness = await GatewayHarness.StartAsync(McpKit(), McpUpstreams());
        await using var client = await ConnectAsync(harness);
        var textSocket = harness.Ingress["text"];

        harness.Ingress["text"] = null;
        CollectionAssert.AreEqual(new[] { "mcp.add" }, (await client.ListToolsAsync()).Select(t => t.Name).ToList());

        harness.Ingress["text"] = textSocket;
        Assert.AreEqual(3, (await client.ListToolsAsync()).Count);
    }

    [TestMethod]
    public async Task MergedMcp_SendsToolsListChangedWhenAnMcpWorkloadStopsOrStarts_AndOpenStreamsDoNotHoldShutdown()
    {
        // An a2a workload beside the two MCP ones: its changes are not the merged tool list's business.
        var kit = McpKit();
        kit.Workloads["agent"] = Workload("agent", ("a2a", "/"));
        kit.Expose.Add(Expose("/agent", "agent", "a2a"));
        var harness = await GatewayHarness.StartAsync(kit, McpUpstreams(), new GatewayOptions(Port: 0) { ShutdownGrace = TimeSpan.FromSeconds(10) });
        var changes = System.Threading.Channels.Channel.CreateUnbounded<string>();
        var client = await McpClient.CreateAsync(
            new HttpClientTransport(new HttpClientTransportOptions
            {
                Endpoint = new Uri(harness.Gateway.BaseUri, "mcp/all"),
                Name = "gateway-test",
                TransportMode = HttpTransportMode.StreamableHttp,
            }),
            new McpClientOptions
            {
                Handlers = new McpClientHandlers
                {
                    NotificationHandlers = [new(NotificationMethods.ToolListChangedNotification, (n, _) => { changes.Writer.TryWrite(n.Method); return ValueTask.CompletedTask; })],
                },
            });
        try
        {
            Assert.IsTrue(client.ServerCapabilities.Tools?.ListChanged ?? false);
            await changes.Reader.ReadAsync().AsTask().WaitAsync(Bound); // sent as the stream opens
            Assert.AreEqual(1, harness.Gateway.McpChangeStreamCount);

            harness.Ingress["text"] = null;
            harness.Gateway.WorkloadAvailabilityChanged("text");
            await changes.Reader.ReadAsync().AsTask().WaitAsync(Bound);
            CollectionAssert.AreEqual(new[] { "mcp.add" }, (await client.ListToolsAsync()).Select(t => t.Name).ToList());

            harness.Gateway.WorkloadAvailabilityChanged("agent");
            using var plain = await harness.Client.PostAsync("/mcp/all", Json("""{"jsonrpc":"2.0","id":1,"method":"ping"}"""));
            Assert.IsFalse(changes.Reader.TryRead(out _), "a workload without an mcp expose sends no list_changed");
        }
        finally
        {
            // The client's GET stream is still open: stopping the gateway ends it rather than waiting out the grace period.
            var stopping = System.Diagnostics.Stopwatch.StartNew();
            await harness.DisposeAsync();
            Assert.IsLessThan(TimeSpan.FromSeconds(5), stopping.Elapsed, "an open notification stream held the gateway's shutdown");
            await client.DisposeAsync();
        }
    }

    [TestMethod]
    public async Task MergedMcp_AnswersPlainJsonRpc()
    {
        await using var harness = await GatewayHarness.StartAsync(McpKit(), McpUpstreams());

        using var ping = await harness.Client.PostAsync("/mcp/all", Json("""{"jsonrpc":"2.0","id":7,"method":"ping"}"""));
        Assert.AreEqual("application/json", ping.Content.Headers.ContentType?.MediaType);
        var answer = JsonNode.Parse(await ping.Content.ReadAsStringAsync())!;
        Assert.AreEqual(7, answer["id"]!.GetValue<int>());

        using var notification = await harness.Client.PostAsync("/mcp/all", Json("""{"jsonrpc":"2.0","method":"notifications/initialized"}"""));
        Assert.AreEqual(HttpStatusCode.Accepted, notification.StatusCode);

        using var unknown = await harness.Client.PostAsync("/mcp/all",
            Json("""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"nope.tool","arguments":{}}}"""));
        Assert.IsNotNull(JsonNode.Parse(await unknown.Content.ReadAsStringAsync())!["error"]);
    }

    private static async Task<McpClient> ConnectAsync(GatewayHarness harness)
    {
        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(harness.Gateway.BaseUri, "mcp/all"),
            Name = "gateway-test",
            TransportMode = HttpTransportMode.StreamableHttp,
        });
        return await McpClient.CreateAsync(transport);
    }

    private static string Text(CallToolResult result) => string.Concat(result.Content.OfType<TextContentBlock>().Select(t => t.Text));

    /// <summary>A tiny MCP-over-HTTP server at <c>/mcp</c>: JSON-RPC, <c>application/json</c> answers, no sessions.</summary>
    private static RequestDelegate McpServer(string server, params (string Name, Func<JsonObject, string> Run)[] tools) => async context =>
    {
        if (context.Request.Path != "/mcp" || !HttpMethods.IsPost(context.Request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return;
        }
        var request = (await JsonNode.ParseAsync(context.Request.Body))!.AsObject();
        var id = request["id"]?.DeepClone();
        if (id is null)
        {
            context.Response.StatusCode = StatusCodes.Status202Accepted;
            return;
        }
        var parameters = request["params"] as JsonObject;
        var method = request["method"]!.GetValue<string>();
        context.Response.ContentType = "application/json";
        if (method is not ("initialize" or "tools/list" or "tools/call" or "ping"))
        {
            await context.Response.WriteAsync(new JsonObject
            {
                ["jsonrpc"] = "2.0",
                ["id"] = id,
                ["error"] = new JsonObject { ["code"] = -32601, ["message"] = "Method not found: " + method },
            }.ToJsonString());
            return;
        }
        JsonNode result = method switch
        {
            "initialize" => new JsonObject
            {
                ["protocolVersion"] = parameters?["protocolVersion"]?.GetValue<string>(),
                ["capabilities"] = new JsonObject { ["tools"] = new JsonObject() },
                ["serverInfo"] = new JsonObject { ["name"] = server, ["version"] = "1.0.0" },
            },
            "tools/list" => new JsonObject
            {
                ["tools"] = new JsonArray([.. tools.Select(t => (JsonNode)new JsonObject
                {
                    ["name"] = t.Name,
                    ["description"] = $"{server} {t.Name}",
                    ["inputSchema"] = new JsonObject { ["type"] = "object" },
                })]),
            },
            "tools/call" => new JsonObject
            {
                ["content"] = new JsonArray(new JsonObject
                {
                    ["type"] = "text",
                    ["text"] = server + ":" + tools.Single(t => t.Name == parameters!["name"]!.GetValue<string>()).Run(parameters!["arguments"]!.AsObject()),
                }),
            },
            _ => new JsonObject(),
        };
        await context.Response.WriteAsync(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["result"] = result }.ToJsonString());
    };

    // ---- OpenAI-compatible ------------------------------------------------------------------------------

    private static KitBundle OaicKit() => Kit("/nonexistent/oaic",
        [Workload("small", ("oaic", "/v1")), Workload("large", ("oaic", "/openai/v1"))],
        Expose("/llm/small", "small", "oaic"), Expose("/llm/large", "large", "oaic"));

    [TestMethod]
    public async Task Models_MergesEveryOaicUpstream()
    {
        await using var harness = await GatewayHarness.StartAsync(OaicKit(), new Dictionary<string, RequestDelegate>
        {
            ["small"] = OaicServer("small", "/v1", null, "tiny"),
            ["large"] = OaicServer("large", "/openai/v1", null, "big", "huge"),
        });

        var models = await harness.Client.GetFromJsonAsync<JsonObject>("/v1/models");
        Assert.AreEqual("list", models!["object"]!.GetValue<string>());
        var ids = models["data"]!.AsArray().Select(m => m!["id"]!.GetValue<string>()).ToList();
        CollectionAssert.AreEquivalent(new[] { "tiny", "big", "huge" }, ids);
    }

    [TestMethod]
    public async Task ChatCompletions_RouteByModel_AndSseArrivesEventByEvent()
    {
        var released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var harness = await GatewayHarness.StartAsync(OaicKit(), new Dictionary<string, RequestDelegate>
        {
            ["small"] = OaicServer("small", "/v1", released.Task, "tiny"),
            ["large"] = OaicServer("large", "/openai/v1", released.Task, "big", "huge"),
        });

        using (var plain = await harness.Client.PostAsync("/v1/chat/completions", Json("""{"model":"huge","messages":[{"role":"user","content":"hi"}]}""")))
        {
            var body = JsonNode.Parse(await plain.Content.ReadAsStringAsync())!;
            Assert.AreEqual(HttpStatusCode.OK, plain.StatusCode, body.ToJsonString());
            Assert.AreEqual("large:huge:hi", body["choices"]![0]!["message"]!["content"]!.GetValue<string>());
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = Json("""{"model":"tiny","stream":true,"messages":[{"role":"user","content":"yo"}]}"""),
        };
        using var response = await harness.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.AreEqual("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var first = await reader.ReadLineAsync().WaitAsync(Bound);
        Assert.AreEqual("small:tiny:yo", JsonNode.Parse(first!["data: ".Length..])!["choices"]![0]!["delta"]!["content"]!.GetValue<string>());
        Assert.AreEqual("", await reader.ReadLineAsync().WaitAsync(Bound));
        released.SetResult(); // the second event is only written now: the first came through on its own
        Assert.AreEqual("data: [DONE]", await reader.ReadLineAsync().WaitAsync(Bound));
    }

    [TestMethod]
    public async Task ChatCompletions_UnknownModel_Is404()
    {
        await using var harness = await GatewayHarness.StartAsync(OaicKit(), new Dictionary<string, RequestDelegate>
        {
            ["small"] = OaicServer("small", "/v1", null, "tiny"),
        });

        using var response = await harness.Client.PostAsync("/v1/chat/completions", Json("""{"model":"big","messages":[]}"""));
        Assert.AreEqual(HttpStatusCode.NotFound, response.StatusCode); // "large" is not running
    }

    /// <summary>An OpenAI-compatible stand-in at <paramref name="root"/>: models, and chat that echoes "server:model:last message".</summary>
    private static RequestDelegate OaicServer(string server, string root, Task? secondEvent, params string[] models) => async context =>
    {
        var path = context.Request.Path.Value;
        context.Response.ContentType = "application/json";
        if (HttpMethods.IsGet(context.Request.Method) && path == root + "/models")
        {
            await context.Response.WriteAsync(new JsonObject
            {
                ["object"] = "list",
                ["data"] = new JsonArray([.. models.Select(m => (JsonNode)new JsonObject { ["id"] = m, ["object"] = "model", ["owned_by"] = server })]),
            }.ToJsonString());
            return;
        }
        if (!HttpMethods.IsPost(context.Request.Method) || path != root + "/chat/completions")
        {
            context.Response.StatusCode = 404;
            return;
        }
        var body = (await JsonNode.ParseAsync(context.Request.Body))!;
        var text = $"{server}:{body["model"]!.GetValue<string>()}:{body["messages"]!.AsArray().Last()!["content"]!.GetValue<string>()}";
        if (body["stream"]?.GetValue<bool>() != true)
        {
            await context.Response.WriteAsync(new JsonObject
            {
                ["object"] = "chat.completion",
                ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = text } }),
            }.ToJsonString());
            return;
        }
        context.Response.ContentType = "text/event-stream";
        var chunk = new JsonObject
        {
            ["object"] = "chat.completion.chunk",
            ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = new JsonObject { ["content"] = text } }),
        };
        await context.Response.WriteAsync($"data: {chunk.ToJsonString()}\n\n");
        await context.Response.Body.FlushAsync();
        await secondEvent!.WaitAsync(TimeSpan.FromSeconds(60), context.RequestAborted);
        await context.Response.WriteAsync("data: [DONE]\n\n");
    };

    // ---- A2A -------------------------------------------------------------------------------------------

    private static KitBundle A2aKit() => Kit("/nonexistent/a2a", [Workload("helper", ("a2a", "/"))], Expose("/agents/helper", "helper", "a2a"));

    [TestMethod]
    public async Task A2a_CardUrlIsTheGatewayUrl_AndMessageSendPassesThrough()
    {
        string? receivedBody = null;
        await using var harness = await GatewayHarness.StartAsync(A2aKit(), new Dictionary<string, RequestDelegate>
        {
            ["helper"] = async context =>
            {
                context.Response.ContentType = "application/json";
                if (HttpMethods.IsGet(context.Request.Method) && context.Request.Path == "/.well-known/agent-card.json")
                {
                    await context.Response.WriteAsync("""{"name":"helper","url":"http://workload.internal/","version":"1.0.0","skills":[{"id":"s"}]}""");
                    return;
                }
                if (HttpMethods.IsPost(context.Request.Method) && context.Request.Path == "/")
                {
                    using var reader = new StreamReader(context.Request.Body);
                    receivedBody = await reader.ReadToEndAsync();
                    var request = JsonNode.Parse(receivedBody)!;
                    var text = request["params"]!["message"]!["parts"]![0]!["text"]!.GetValue<string>();
                    await context.Response.WriteAsync(new JsonObject
                    {
                        ["jsonrpc"] = "2.0",
                        ["id"] = request["id"]!.DeepClone(),
                        ["result"] = new JsonObject
                        {
                            ["kind"] = "message",
                            ["role"] = "agent",
                            ["messageId"] = "m2",
                            ["parts"] = new JsonArray(new JsonObject { ["kind"] = "text", ["text"] = "echo: " + text }),
                        },
                    }.ToJsonString());
                    return;
                }
                context.Response.StatusCode = 404;
            },
        });

        var card = await harness.Client.GetFromJsonAsync<JsonObject>("/agents/helper/.well-known/agent-card.json");
        Assert.AreEqual($"http://127.0.0.1:{harness.Gateway.Port}/agents/helper", card!["url"]!.GetValue<string>());
        Assert.AreEqual("helper", card["name"]!.GetValue<string>());
        Assert.AreEqual("s", card["skills"]![0]!["id"]!.GetValue<string>());

        const string send = """{"jsonrpc":"2.0","id":"r1","method":"message/send","params":{"message":{"role":"user","messageId":"m1","parts":[{"kind":"text","text":"hi"}]}}}""";
        using var response = await harness.Client.PostAsync(card["url"]!.GetValue<string>(), Json(send));
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.AreEqual(send, receivedBody, "the JSON-RPC request reaches the agent unchanged");
        Assert.AreEqual("r1", answer["id"]!.GetValue<string>());
        Assert.AreEqual("echo: hi", answer["result"]!["parts"]![0]!["text"]!.GetValue<string>());
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
