using CapaKit.Bundle;

namespace CapaKit.Tool.Gateway;

/// <summary>
/// Which routes speak which protocol, for the gateway's protocol-aware endpoints: the merged MCP endpoint
/// <c>/mcp/all</c> (mcp), agent cards (a2a) and the merged OpenAI-compatible <c>/v1</c> (oaic).
/// </summary>
internal sealed class GatewayProtocolRoutes
{
    public const string MergedMcpPath = "/mcp/all";
    public const string OpenAiBasePath = "/v1";
    public const string AgentCardSuffix = "/.well-known/agent-card.json";

    private GatewayProtocolRoutes(List<GatewayRoute> mcp, List<GatewayRoute> a2a, List<GatewayRoute> oaic)
    {
        Mcp = mcp;
        A2a = a2a;
        Oaic = oaic;
    }

    /// <summary>Routes of <c>mcp</c> exposes (not the <c>default_mcp</c> alias), in manifest order.</summary>
    public IReadOnlyList<GatewayRoute> Mcp { get; }

    public IReadOnlyList<GatewayRoute> A2a { get; }

    public IReadOnlyList<GatewayRoute> Oaic { get; }

    public static GatewayProtocolRoutes Build(KitBundle kit, GatewayRouteTable routes)
    {
        List<GatewayRoute> mcp = [], a2a = [], oaic = [];
        foreach (var route in routes.Routes.Where(r => !r.IsDefaultMcpAlias))
        {
            var expose = kit.Expose.FirstOrDefault(e => EndpointPaths.Normalize(e.Path) == route.ExposePath);
            if (expose is null)
            {
                continue;
            }
            var protocols = expose.Endpoints.Count > 0
                ? expose.Endpoints
                : kit.Workloads.GetValueOrDefault(expose.Target)?.Endpoints.Select(e => e.Protocol).ToList() ?? [];
            if (protocols.Contains("mcp"))
            {
                mcp.Add(route);
            }
            if (protocols.Contains("a2a"))
            {
                a2a.Add(route);
            }
            if (protocols.Contains("oaic"))
            {
                oaic.Add(route);
            }
        }
        return new GatewayProtocolRoutes(mcp, a2a, oaic);
    }

    /// <summary>The tool-name prefix of an mcp expose: the path without its leading slash, '/' → '.' ("/mcp" → "mcp").</summary>
    public static string ToolPrefix(GatewayRoute route) =>
        route.ExposePath == "/" ? "root" : route.ExposePath.TrimStart('/').Replace('/', '.');

    /// <summary>The upstream path for a request path below <paramref name="route"/> ("/models" → "/v1/models").</summary>
    public static string UpstreamPath(GatewayRoute route, string below) =>
        route.UpstreamPathFor(EndpointPaths.Join(route.ExposePath, below))!;
}
