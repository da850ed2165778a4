using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Client;

namespace CapaKit.Tool.Gateway;

/// <summary>
/// What the gateway answers itself, by protocol, before plain routing:
/// <list type="bullet">
/// <item><c>/mcp/all</c>: one MCP endpoint (JSON-RPC, <c>application/json</c> answers) whose tools are every running
/// mcp expose's tools named <c>&lt;path&gt;.&lt;tool&gt;</c>; listed afresh on each <c>tools/list</c>, calls go to the right server.
/// A <c>GET</c> opens an SSE stream on which <c>notifications/tools/list_changed</c> arrives when one of those workloads
/// becomes ready or stops (<see cref="McpChangeStreams"/>).</item>
/// <item><c>GET &lt;a2a path&gt;/.well-known/agent-card.json</c>: the workload's card with <c>url</c> set to the gateway URL of the expose.</item>
/// <item><c>GET /v1/models</c>: every running oaic expose's models in one list; <c>POST /v1/chat/completions</c>: forwarded
/// to the oaic expose whose models list holds the request's <c>model</c> (the body and any SSE answer stream through).</item>
/// </list>
/// </summary>
internal sealed class GatewayProtocolEndpoints(GatewayProtocolRoutes protocols, WorkloadIngressClients clients, McpChangeStreams changes, ILogger logger)
{
    private const string LatestMcpProtocol = "2025-06-18";

    private static readonly HttpClient Loopback = new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    /// <summary>Answers the request when it is one of the protocol endpoints; returns the match to forward for a routed chat completion.</summary>
    /// <returns>(handled, forward): handled means the response is written; forward, when set, is what to proxy instead of plain routing.</returns>
    public async Task<(bool Handled, GatewayMatch? Forward)> TryHandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        var method = context.Request.Method;
        if (protocols.Mcp.Count > 0 && path == GatewayProtocolRoutes.MergedMcpPath)
        {
            await MergedMcpAsync(context).ConfigureAwait(false);
            return (true, null);
        }
        if (HttpMethods.IsGet(method) && path.EndsWith(GatewayProtocolRoutes.AgentCardSuffix, StringComparison.Ordinal))
        {
            var exposePath = EndpointPaths.Normalize(path[..^GatewayProtocolRoutes.AgentCardSuffix.Length]);
            if (protocols.A2a.FirstOrDefault(r => r.ExposePath == exposePath) is { } a2a)
            {
                await AgentCardAsync(context, a2a).ConfigureAwait(false);
                return (true, null);
            }
        }
        if (protocols.Oaic.Count > 0)
        {
            if (HttpMethods.IsGet(method) && path == "/v1/models")
            {
                await ModelsAsync(context).ConfigureAwait(false);
                return (true, null);
            }
            if (HttpMethods.IsPost(method) && path == "/v1/chat/completions")
            {
                return await RouteChatAsync(context).ConfigureAwait(false);
            }
        }
        return (false, null);
    }

    // ---- MCP -------------------------------------------------------------------------------------------

    private async Task MergedMcpAsync(HttpContext context)
    {
        if (HttpMethods.IsGet(context.Request.Method) && context.Request.Headers.Accept.ToString().Contains("text/event-stream", StringComparison.OrdinalIgnoreCase))
        {
            await changes.ServeAsync(context).ConfigureAwait(false);
            return;
        }
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            context.Response.Headers.Allow = "GET, POST";
            return;
        }
        JsonNode? message;
        try
        {
            message = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            await WriteJsonAsync(context, Error(null, -32700, "Parse error")).ConfigureAwait(false);
            return;
        }
        if (message is JsonArray batch)
        {
            var answers = new JsonArray();
            foreach (var item in batch)
            {
                if (await AnswerAsync(context, item as JsonObject).ConfigureAwait(false) is { } answer)
                {
                    answers.Add(answer);
                }
            }
            await RespondAsync(context, answers.Count == 0 ? null : answers).ConfigureAwait(false);
            return;
        }
        await RespondAsync(context, await AnswerAsync(context, message as JsonObject).ConfigureAwait(false)).ConfigureAwait(false);
    }

    private static async Task RespondAsync(HttpContext context, JsonNode? answer)
    {
        if (answer is null)
        {
            context.Response.StatusCode = StatusCodes.Status202Accepted; // notifications and responses only
            return;
        }
        await WriteJsonAsync(context, answer).ConfigureAwait(false);
    }

    /// <summary>The JSON-RPC answer to one message, or null for a notification.</summary>
    private async Task<JsonNode?> AnswerAsync(HttpContext context, JsonObject? request)
    {
        if (request is null)
        {
            return Error(null, -32600, "Invalid Request");
        }
        var id = request["id"]?.DeepClone();
        var method = request["method"] is JsonValue value && value.TryGetValue<string>(out var name) ? name : null;
        if (id is null || method is null)
        {
            return null; // a notification (notifications/initialized, cancelled, ...) or a stray response
        }
        var parameters = request["params"] as JsonObject;
        try
        {
            return method switch
            {
                "initialize" => Result(id, new JsonObject
                {
                    ["protocolVersion"] = parameters?["protocolVersion"]?.GetValue<string>() ?? LatestMcpProtocol,
                    ["capabilities"] = new JsonObject { ["tools"] = new JsonObject { ["listChanged"] = true } },
                    ["serverInfo"] = new JsonObject { ["name"] = "capakit-gateway", ["version"] = "1.0.0" },
                }),
                "ping" => Result(id, new JsonObject()),
                "tools/list" => Result(id, new JsonObject { ["tools"] = await ListToolsAsync(context).ConfigureAwait(false) }),
                "tools/call" => await CallToolAsync(context, id, parameters).ConfigureAwait(false),
                _ => Error(id, -32601, $"Method not found: {method}"),
            };
        }
        catch (Exception e) when (e is not OperationCanceledException || !context.RequestAborted.IsCancellationRequested)
        {
            return Error(id, -32603, e.Message);
        }
    }

    private async Task<JsonArray> ListToolsAsync(HttpContext context)
    {
        var running = protocols.Mcp.Where(r => clients.IngressOf(r.Workload) is not null).ToList();
        var lists = await Task.WhenAll(running.Select(async route =>
        {
            try
            {
                await using var client = await ConnectAsync(context, route).ConfigureAwait(false);
                var tools = await client.ListToolsAsync(cancellationToken: context.RequestAborted).ConfigureAwait(false);
                return tools.Select(t =>
                {
                    var node = JsonSerializer.SerializeToNode(t.ProtocolTool, McpJsonUtilities.DefaultOptions)!.AsObject();
                    node["name"] = GatewayProtocolRoutes.ToolPrefix(route) + "." + t.ProtocolTool.Name;
                    return (JsonNode)node;
                }).ToList();
            }
            catch (Exception e) when (!context.RequestAborted.IsCancellationRequested)
            {
                // One workload failing (stopping, starting) leaves the others' tools listed.
                GatewayLog.ForwardFailed(logger, "POST", GatewayProtocolRoutes.MergedMcpPath, route.Workload, "tools/list", e.Message);
                return [];
            }
        })).ConfigureAwait(false);
        return [.. lists.SelectMany(l => l)];
    }

    private async Task<JsonNode> CallToolAsync(HttpContext context, JsonNode id, JsonObject? parameters)
    {
        var name = parameters?["name"] is JsonValue value && value.TryGetValue<string>(out var n) ? n : "";
        var route = protocols.Mcp
            .Where(r => name.StartsWith(GatewayProtocolRoutes.ToolPrefix(r) + ".", StringComparison.Ordinal))
            .OrderByDescending(r => GatewayProtocolRoutes.ToolPrefix(r).Length)
            .FirstOrDefault();
        if (route is null)
        {
            return Error(id, -32602, $"Unknown tool: {name}");
        }
        if (clients.IngressOf(route.Workload) is null)
        {
            return Error(id, -32603, $"Workload '{route.Workload}' is not running.");
        }
        var tool = name[(GatewayProtocolRoutes.ToolPrefix(route).Length + 1)..];
        var arguments = parameters?["arguments"] is JsonObject args
            ? args.ToDictionary(p => p.Key, p => (object?)(p.Value is null ? null : JsonSerializer.SerializeToElement(p.Value)))
            : new Dictionary<string, object?>();
        await using var client = await ConnectAsync(context, route).ConfigureAwait(false);
        var result = await client.CallToolAsync(tool, arguments, cancellationToken: context.RequestAborted).ConfigureAwait(false);
        return Result(id, JsonSerializer.SerializeToNode(result, McpJsonUtilities.DefaultOptions)!);
    }

    /// <summary>An MCP client of one exposed server, through the gateway's own loopback URL of its expose path.</summary>
    private static async Task<McpClient> ConnectAsync(HttpContext context, GatewayRoute route)
    {
        var endpoint = new Uri($"http://127.0.0.1:{context.Connection.LocalPort}{route.ExposePath}");
        var transport = new HttpClientTransport(
            new HttpClientTransportOptions { Endpoint = endpoint, Name = "capakit-gateway", TransportMode = HttpTransportMode.StreamableHttp },
            Loopback, loggerFactory: null, ownsHttpClient: false);
        return await McpClient.CreateAsync(transport, cancellationToken: context.RequestAborted).ConfigureAwait(false);
    }

    private static JsonObject Result(JsonNode id, JsonNode result) => new() { ["jsonrpc"] = "2.0", ["id"] = id, ["result"] = result };

    private static JsonObject Error(JsonNode? id, int code, string text) =>
        new() { ["jsonrpc"] = "2.0", ["id"] = id, ["error"] = new JsonObject { ["code"] = code, ["message"] = text } };

    // ---- A2A -------------------------------------------------------------------------------------------

    private async Task AgentCardAsync(HttpContext context, GatewayRoute route)
    {
        if (clients.IngressOf(route.Workload) is null)
        {
            await WriteTextAsync(context, StatusCodes.Status503ServiceUnavailable, $"Workload '{route.Workload}' is not running.").ConfigureAwait(false);
            return;
        }
        var (status, body) = await GetAsync(context, route, GatewayProtocolRoutes.AgentCardSuffix).ConfigureAwait(false);
        if (status != StatusCodes.Status200OK || JsonNode.Parse(body) is not JsonObject card)
        {
            await WriteTextAsync(context, status == StatusCodes.Status200OK ? StatusCodes.Status502BadGateway : status,
                $"Workload '{route.Workload}' did not serve an agent card.").ConfigureAwait(false);
            return;
        }
        var request = context.Request;
        card["url"] = $"{request.Scheme}://{request.Host}{route.ExposePath}";
        await WriteJsonAsync(context, card).ConfigureAwait(false);
    }

    // ---- OpenAI-compatible ------------------------------------------------------------------------------

    private async Task ModelsAsync(HttpContext context)
    {
        var data = new JsonArray();
        foreach (var (_, models) in await ModelListsAsync(context).ConfigureAwait(false))
        {
            foreach (var model in models)
            {
                data.Add(model?.DeepClone());
            }
        }
        await WriteJsonAsync(context, new JsonObject { ["object"] = "list", ["data"] = data }).ConfigureAwait(false);
    }

    private async Task<(bool Handled, GatewayMatch? Forward)> RouteChatAsync(HttpContext context)
    {
        var request = context.Request;
        request.EnableBuffering();
        string? model = null;
        try
        {
            var body = await JsonNode.ParseAsync(request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
            model = body is JsonObject o && o["model"] is JsonValue value && value.TryGetValue<string>(out var name) ? name : null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // fall through: no model
        }
        request.Body.Position = 0;
        if (string.IsNullOrEmpty(model))
        {
            await WriteOpenAiErrorAsync(context, StatusCodes.Status400BadRequest, "The request names no model.").ConfigureAwait(false);
            return (true, null);
        }
        foreach (var (route, models) in await ModelListsAsync(context).ConfigureAwait(false))
        {
            if (models.Any(m => m?["id"]?.GetValue<string>() == model))
            {
                return (false, new GatewayMatch(route, GatewayProtocolRoutes.UpstreamPath(route, "/chat/completions")));
            }
        }
        await WriteOpenAiErrorAsync(context, StatusCodes.Status404NotFound, $"No running workload serves model '{model}'.").ConfigureAwait(false);
        return (true, null);
    }

    /// <summary>Each running oaic expose with the <c>data</c> of its <c>GET &lt;endpoint&gt;/models</c>, in manifest order.</summary>
    private async Task<List<(GatewayRoute Route, JsonArray Models)>> ModelListsAsync(HttpContext context)
    {
        var running = protocols.Oaic.Where(r => clients.IngressOf(r.Workload) is not null).ToList();
        var lists = await Task.WhenAll(running.Select(async route =>
        {
            try
            {
                var (status, body) = await GetAsync(context, route, "/models").ConfigureAwait(false);
                return status == StatusCodes.Status200OK && JsonNode.Parse(body)?["data"] is JsonArray data ? data : [];
            }
            catch (Exception e) when (!context.RequestAborted.IsCancellationRequested)
            {
                GatewayLog.ForwardFailed(logger, "GET", "/v1/models", route.Workload, "models", e.Message);
                return [];
            }
        })).ConfigureAwait(false);
        return [.. running.Zip(lists)];
    }

    private static Task WriteOpenAiErrorAsync(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        return WriteJsonAsync(context, new JsonObject
        {
            ["error"] = new JsonObject { ["message"] = text, ["type"] = "invalid_request_error", ["code"] = "model_not_found" },
        });
    }

    // ---- helpers --------------------------------------------------------------------------------------

    /// <summary>GETs <paramref name="below"/> of the route's upstream straight on the workload's ingress.</summary>
    private async Task<(int Status, string Body)> GetAsync(HttpContext context, GatewayRoute route, string below)
    {
        using var message = new HttpRequestMessage(HttpMethod.Get, "http://localhost" + GatewayProtocolRoutes.UpstreamPath(route, below));
        if (context.Request.Host.HasValue)
        {
            message.Headers.Host = context.Request.Host.Value;
        }
        message.Headers.TryAddWithoutValidation("Accept", "application/json");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        using var response = await clients.For(route.Workload).SendAsync(message, timeout.Token).ConfigureAwait(false);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false));
    }

    private static async Task WriteJsonAsync(HttpContext context, JsonNode body)
    {
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.WriteAsync(body.ToJsonString(), Encoding.UTF8, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task WriteTextAsync(HttpContext context, int status, string line)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(line + "\n", context.RequestAborted).ConfigureAwait(false);
    }
}
