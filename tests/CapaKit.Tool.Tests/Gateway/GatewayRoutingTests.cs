using System.Net;
using Microsoft.AspNetCore.Http;
using static CapaKit.Tool.Tests.Gateway.GatewayTestKits;

namespace CapaKit.Tool.Tests.Gateway;

/// <summary>Requests through a real gateway to stand-in workloads on unix sockets.</summary>
[TestClass]
public sealed class GatewayRoutingTests
{
    [TestMethod]
    public async Task Todo_RoutesByLongestSegmentPrefix_AndStripsTheExposedPath()
    {
        await using var harness = await GatewayHarness.StartEchoingAsync(Todo());

        var api = await harness.EchoAsync("/api/todos?limit=5&x=%2F");
        Assert.AreEqual("api", api.Str("workload"));
        Assert.AreEqual("/todos", api.Str("path"));
        Assert.AreEqual("?limit=5&x=%2F", api.Str("query"));

        Assert.AreEqual("/", (await harness.EchoAsync("/api")).Str("path"));

        var apix = await harness.EchoAsync("/apix");
        Assert.AreEqual("web", apix.Str("workload"), "/apix is not under /api");
        Assert.AreEqual("/apix", apix.Str("path"));

        var page = await harness.EchoAsync("/");
        Assert.AreEqual("web", page.Str("workload"));
        Assert.AreEqual("/", page.Str("path"));
    }

    [TestMethod]
    [DataRow("evil.example", null, DisplayName = "another host name (DNS rebinding)")]
    [DataRow(null, "http://evil.example", DisplayName = "another site's page")]
    [DataRow(null, "null", DisplayName = "an opaque origin")]
    public async Task RequestsNamingAnotherHostOrComingFromAnotherSiteAreRefused(string? host, string? origin)
    {
        var reached = 0;
        await using var harness = await GatewayHarness.StartAsync(Todo(), new Dictionary<string, RequestDelegate>
        {
            ["api"] = async context => { Interlocked.Increment(ref reached); await context.Response.WriteAsync("ok"); },
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/todos") { Content = new StringContent("{}") };
        if (host is not null) request.Headers.Host = $"{host}:{harness.Gateway.Port}";
        if (origin is not null) request.Headers.TryAddWithoutValidation("Origin", origin);
        using var refused = await harness.Client.SendAsync(request);
        Assert.AreEqual(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.AreEqual(0, reached, "a refused request reached the workload");

        // The same request from the Kit's own pages (or any local client) goes through.
        foreach (var local in new[] { "127.0.0.1", "localhost" })
        {
            using var allowed = new HttpRequestMessage(HttpMethod.Post, "/api/todos") { Content = new StringContent("{}") };
            allowed.Headers.Host = $"{local}:{harness.Gateway.Port}";
            allowed.Headers.TryAddWithoutValidation("Origin", $"http://{local}:{harness.Gateway.Port}");
            using var response = await harness.Client.SendAsync(allowed);
            Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, local);
        }
        Assert.AreEqual(2, reached);
    }

    [TestMethod]
    public async Task ForwardedRequests_KeepTheClientsHost_AndCarryXForwardedHeaders()
    {
        await using var harness = await GatewayHarness.StartEchoingAsync(Todo());
        var authority = $"127.0.0.1:{harness.Gateway.Port}";

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/todos");
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", "203.0.113.9"); // a client's claim is replaced
        using var response = await harness.Client.SendAsync(request);
        var echo = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.AreEqual(authority, echo.Str("host"));
        Assert.AreEqual("127.0.0.1", echo.Str("xForwardedFor"));
        Assert.AreEqual("http", echo.Str("xForwardedProto"));
        Assert.AreEqual(authority, echo.Str("xForwardedHost"));
        Assert.AreEqual("/api", echo.Str("xForwardedPrefix"));
        Assert.AreEqual("", (await harness.EchoAsync("/x")).Str("xForwardedPrefix"), "the catch-all strips nothing");
    }

    [TestMethod]
    public async Task Hello_McpRequestArrivesAtSlashMcp()
    {
        await using var harness = await GatewayHarness.StartEchoingAsync(Hello());

        using var response = await harness.Client.PostAsync("/mcp", new StringContent("""{"jsonrpc":"2.0","id":1,"method":"ping"}"""));
        var echo = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.AreEqual("hello", echo.Str("workload"));
        Assert.AreEqual("POST", echo.Str("method"));
        Assert.AreEqual("/mcp", echo.Str("path"));
        Assert.AreEqual(1, harness.Gateway.Urls.Count);
        Assert.AreEqual(("/mcp", new Uri(harness.Gateway.BaseUri, "/mcp")), harness.Gateway.Urls[0]);
    }

    [TestMethod]
    public async Task DefaultMcp_ExposedElsewhere_AlsoAnswersAtSlashMcp()
    {
        var kit = Kit("/nonexistent/agent", [Workload("agent", ("mcp", "/mcp")), Workload("web", ("http", "/"))],
            Expose("/agent", "agent", "mcp") with { DefaultMcp = true }, Expose("/", "web", "http"));
        await using var harness = await GatewayHarness.StartEchoingAsync(kit);

        var viaAlias = await harness.EchoAsync("/mcp");
        Assert.AreEqual("agent", viaAlias.Str("workload"));
        Assert.AreEqual("/mcp", viaAlias.Str("path"));
        var viaPath = await harness.EchoAsync("/agent");
        Assert.AreEqual("agent", viaPath.Str("workload"));
        Assert.AreEqual("/mcp", viaPath.Str("path"));
        Assert.AreEqual("web", (await harness.EchoAsync("/mcpx")).Str("workload"));

        var urls = harness.Gateway.Urls.Select(u => $"{u.Path} {u.Url}").ToList();
        var port = harness.Gateway.Port;
        Assert.AreSequenceEqual([$"/agent http://127.0.0.1:{port}/agent", $"/ http://127.0.0.1:{port}/", $"/mcp http://127.0.0.1:{port}/mcp"], urls);
    }

    [TestMethod]
    public async Task NothingExposed_Is404WithAShortTextBody()
    {
        await using var harness = await GatewayHarness.StartEchoingAsync(Hello());

        using var response = await harness.Client.GetAsync("/nothing/here");
        var body = await response.Content.ReadAsStringAsync();

        Assert.AreEqual(HttpStatusCode.NotFound, response.StatusCode);
        Assert.AreEqual("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.AreEqual(1, body.TrimEnd('\n').Split('\n').Length, body);
        Assert.IsLessThan(100, body.Length);
    }

    [TestMethod]
    public async Task TargetNotRunning_Is503NamingTheWorkload_AndRecoversWhenItStarts()
    {
        var kit = Todo();
        await using var harness = await GatewayHarness.StartAsync(kit, new Dictionary<string, Microsoft.AspNetCore.Http.RequestDelegate>
        {
            ["web"] = UnixUpstream.Echo("web"),
        });
        await using var api = await UnixUpstream.StartAsync(Path.Combine(harness.Directory, "api-later.sock"), UnixUpstream.Echo("api"));

        using (var response = await harness.Client.GetAsync("/api/todos"))
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.AreEqual(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.AreEqual("Workload 'api' is not running.\n", body);
        }
        Assert.AreEqual("web", (await harness.EchoAsync("/")).Str("workload"), "the other workload is unaffected");

        harness.Ingress["api"] = api.SocketPath; // the workload came up
        Assert.AreEqual("api", (await harness.EchoAsync("/api/todos")).Str("workload"));
    }

    [TestMethod]
    public async Task TargetSocketMissing_Is503NamingTheWorkload()
    {
        await using var harness = await GatewayHarness.StartEchoingAsync(Todo());
        harness.Ingress["api"] = Path.Combine(harness.Directory, "gone.sock"); // the runtime still lists it, nothing listens

        using var response = await harness.Client.GetAsync("/api/todos");
        var body = await response.Content.ReadAsStringAsync();

        Assert.AreEqual(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        StringAssert.Contains(body, "'api'");
        Assert.AreEqual(1, body.TrimEnd('\n').Split('\n').Length, body);
    }
}
