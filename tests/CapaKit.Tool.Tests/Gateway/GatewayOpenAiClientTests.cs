using System.ClientModel;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using OpenAI;
using OpenAI.Chat;
using static CapaKit.Tool.Tests.Gateway.GatewayTestKits;

namespace CapaKit.Tool.Tests.Gateway;

/// <summary>The official OpenAI .NET client, pointed at the gateway's /v1, reaches the right workload by model and streams.</summary>
[TestClass]
public sealed class GatewayOpenAiClientTests
{
    [TestMethod]
    public async Task TheOpenAiClientCompletesAndStreamsThroughTheGateway()
    {
        var kit = Kit("/nonexistent/oaic-client",
            [Workload("small", ("oaic", "/v1")), Workload("large", ("oaic", "/openai/v1"))],
            Expose("/llm/small", "small", "oaic"), Expose("/llm/large", "large", "oaic"));
        await using var harness = await GatewayHarness.StartAsync(kit, new Dictionary<string, RequestDelegate>
        {
            ["small"] = MockModel("small", "/v1", "tiny"),
            ["large"] = MockModel("large", "/openai/v1", "huge"),
        });
        var options = new OpenAIClientOptions { Endpoint = new Uri(harness.Gateway.BaseUri, "v1") };

        var huge = new ChatClient("huge", new ApiKeyCredential("not-needed"), options);
        ChatCompletion completion = await huge.CompleteChatAsync([new UserChatMessage("hi")]);
        Assert.AreEqual("large says hi", completion.Content[0].Text);

        var tiny = new ChatClient("tiny", new ApiKeyCredential("not-needed"), options);
        var parts = new List<string>();
        await foreach (var update in tiny.CompleteChatStreamingAsync([new UserChatMessage("yo")]))
        {
            parts.AddRange(update.ContentUpdate.Select(c => c.Text));
        }
        CollectionAssert.AreEqual(new[] { "small ", "says ", "yo" }, parts, string.Join("|", parts));
    }

    /// <summary>A deterministic OpenAI-compatible model server: "&lt;server&gt; says &lt;last message&gt;", streamed word by word.</summary>
    private static RequestDelegate MockModel(string server, string root, string model) => async context =>
    {
        var path = context.Request.Path.Value;
        context.Response.ContentType = "application/json";
        if (HttpMethods.IsGet(context.Request.Method) && path == root + "/models")
        {
            await context.Response.WriteAsync($$"""{"object":"list","data":[{"id":"{{model}}","object":"model","created":0,"owned_by":"{{server}}"}]}""");
            return;
        }
        if (!HttpMethods.IsPost(context.Request.Method) || path != root + "/chat/completions")
        {
            context.Response.StatusCode = 404;
            return;
        }
        var body = (await JsonNode.ParseAsync(context.Request.Body))!;
        var last = body["messages"]!.AsArray().Last()!["content"]!.GetValue<string>();
        var text = $"{server} says {last}";
        JsonObject Envelope(string kind, JsonObject choice) => new()
        {
            ["id"] = "chatcmpl-1", ["object"] = kind, ["created"] = 0, ["model"] = model, ["choices"] = new JsonArray(choice),
        };
        if (body["stream"]?.GetValue<bool>() != true)
        {
            await context.Response.WriteAsync(Envelope("chat.completion", new JsonObject
            {
                ["index"] = 0, ["finish_reason"] = "stop", ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = text },
            }).ToJsonString());
            return;
        }
        context.Response.ContentType = "text/event-stream";
        var words = text.Split(' ');
        for (var i = 0; i < words.Length; i++)
        {
            var piece = i < words.Length - 1 ? words[i] + " " : words[i];
            var chunk = Envelope("chat.completion.chunk", new JsonObject
            {
                ["index"] = 0, ["finish_reason"] = null, ["delta"] = new JsonObject { ["content"] = piece },
            });
            await context.Response.WriteAsync($"data: {chunk.ToJsonString()}\n\n");
            await context.Response.Body.FlushAsync();
        }
        await context.Response.WriteAsync("data: [DONE]\n\n");
    };
}
