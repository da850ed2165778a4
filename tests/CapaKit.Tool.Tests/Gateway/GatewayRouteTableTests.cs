using CapaKit.Tool.Gateway;
using static CapaKit.Tool.Tests.Gateway.GatewayTestKits;

namespace CapaKit.Tool.Tests.Gateway;

/// <summary>The routing and prefix rules, without sockets.</summary>
[TestClass]
public sealed class GatewayRouteTableTests
{
    private static (string Workload, string Path)? Route(GatewayRouteTable table, string path) =>
        table.Match(path) is { } match ? (match.Route.Workload, match.UpstreamPath) : null;

    [TestMethod]
    [DataRow("/", "web", "/")]
    [DataRow("/index.html", "web", "/index.html")]
    [DataRow("/add", "web", "/add")]
    [DataRow("/api", "api", "/")]
    [DataRow("/api/", "api", "/")]
    [DataRow("/api/todos", "api", "/todos")]
    [DataRow("/api/todos/abc", "api", "/todos/abc")]
    [DataRow("/apix", "web", "/apix")]
    [DataRow("/apix/todos", "web", "/apix/todos")]
    [DataRow("/API/todos", "web", "/API/todos")]
    public void Todo_LongestSegmentPrefixWins_AndTheExposedPrefixIsStripped(string path, string workload, string upstream)
    {
        var table = GatewayRouteTable.Build(Todo());
        Assert.AreEqual((workload, upstream), Route(table, path));
    }

    [TestMethod]
    [DataRow("/mcp", "/mcp")]
    [DataRow("/mcp/", "/mcp/")]
    public void Hello_McpArrivesAtTheWorkloadsMcpPath(string path, string upstream)
    {
        var table = GatewayRouteTable.Build(Hello());
        Assert.AreEqual(("hello", upstream), Route(table, path));
        Assert.HasCount(1, table.Routes, "default_mcp at /mcp needs no alias");
    }

    [TestMethod]
    [DataRow("/")]
    [DataRow("/mcpx")]
    [DataRow("/healthz")]
    public void Hello_PathsOutsideTheExposedOnes_AreNotRouted(string path)
    {
        Assert.IsNull(Route(GatewayRouteTable.Build(Hello()), path));
    }

    [TestMethod]
    public void DefaultMcp_ElsewhereAlsoAnswersAtMcp()
    {
        var kit = Kit("/k", [Workload("agent", ("mcp", "/rpc/mcp"))], Expose("/agent", "agent", "mcp") with { DefaultMcp = true });
        var table = GatewayRouteTable.Build(kit);

        Assert.AreEqual(("agent", "/rpc/mcp"), Route(table, "/agent"));
        Assert.AreEqual(("agent", "/rpc/mcp"), Route(table, "/mcp"));
        Assert.AreEqual(("agent", "/rpc/mcp/x"), Route(table, "/mcp/x"));
        Assert.AreSequenceEqual(["/agent", "/mcp"], table.Routes.Select(r => r.ExposePath));
        Assert.IsTrue(table.Routes[1].IsDefaultMcpAlias);
    }

    [TestMethod]
    public void ProtocolDefaults_ApplyWhenTheWorkloadDeclaresNoPath()
    {
        // An imported workload has no endpoints of its own: the protocol's default path stands in.
        var kit = Kit("/k", [Workload("llm"), Workload("tools")], Expose("/llm", "llm", "oaic"), Expose("/tools", "tools", "mcp"));
        var table = GatewayRouteTable.Build(kit);

        Assert.AreEqual(("llm", "/v1/models"), Route(table, "/llm/models"));
        Assert.AreEqual(("tools", "/mcp"), Route(table, "/tools"));
    }

    [TestMethod]
    public void SeveralProtocols_WithDifferentPaths_KeepTheirSharedRoot()
    {
        var kit = Kit("/k", [Workload("agent", ("mcp", "/mcp"), ("a2a", "/"))], Expose("/agent", "agent", "mcp", "a2a"));
        var table = GatewayRouteTable.Build(kit);

        Assert.AreEqual(("agent", "/mcp"), Route(table, "/agent/mcp"));
        Assert.AreEqual(("agent", "/.well-known/agent.json"), Route(table, "/agent/.well-known/agent.json"));
    }

    [TestMethod]
    public void SeveralProtocols_SharingAPathPrefix_KeepTheSharedSegments()
    {
        var kit = Kit("/k", [Workload("svc", ("mcp", "/v2/mcp"), ("http", "/v2/api"))], Expose("/svc", "svc", "mcp", "http"));
        Assert.AreEqual(("svc", "/v2/api/x"), Route(GatewayRouteTable.Build(kit), "/svc/api/x"));
    }

    [TestMethod]
    public void NestedExposePaths_PickTheLongest()
    {
        var kit = Kit("/k", [Workload("a", ("http", "/")), Workload("b", ("http", "/"))], Expose("/x", "a", "http"), Expose("/x/y", "b", "http"));
        var table = GatewayRouteTable.Build(kit);

        Assert.AreEqual(("a", "/"), Route(table, "/x"));
        Assert.AreEqual(("a", "/yz"), Route(table, "/x/yz"));
        Assert.AreEqual(("b", "/"), Route(table, "/x/y"));
        Assert.AreEqual(("b", "/z"), Route(table, "/x/y/z"));
        Assert.IsNull(Route(table, "/"));
    }

    [TestMethod]
    public void EndpointPaths_CommonPrefix_IsSegmentWise()
    {
        Assert.AreEqual("/", EndpointPaths.CommonPrefix(["/mcp", "/mcpx"]));
        Assert.AreEqual("/v1", EndpointPaths.CommonPrefix(["/v1/a", "/v1/b/"]));
        Assert.AreEqual("/mcp", EndpointPaths.CommonPrefix(["/mcp/"]));
        Assert.AreEqual("/", EndpointPaths.CommonPrefix([]));
    }
}
