using CapaKit.Bundle;

namespace CapaKit.Tool.Gateway;

/// <summary>
/// The gateway's routes, built from the bundle's <c>expose</c> list.
/// <para>
/// Matching: longest prefix on whole path segments (<c>/api</c> takes <c>/api</c> and <c>/api/x</c>, never
/// <c>/apix</c>); <c>/</c> is the catch-all; a path no route covers is answered 404.
/// </para>
/// <para>
/// Prefix rule: the gateway strips the exposed path and puts the target's endpoint path in its place, so a
/// workload sees the paths it declared, wherever the Kit exposes it. The endpoint path is the one the target
/// workload declares for each protocol the expose entry lists (defaults: mcp <c>/mcp</c>, oaic <c>/v1</c>,
/// http and a2a <c>/</c>); when the entry lists several protocols whose paths differ, the segments they share
/// (often just <c>/</c>), so each endpoint stays reachable below the exposed path; an entry that lists none
/// uses the target's own endpoints. With the samples: todo <c>/api/todos</c> → api <c>/todos</c>, todo
/// <c>/x</c> → web <c>/x</c>, hello <c>/mcp</c> → hello <c>/mcp</c> (strip <c>/mcp</c>, prepend the mcp
/// endpoint's <c>/mcp</c>). The query string is kept; the stripped prefix travels as <c>X-Forwarded-Prefix</c>.
/// </para>
/// <para>
/// <c>default_mcp: true</c> also answers at <c>/mcp</c>, prefixed with the target's mcp endpoint path, unless the
/// entry already sits at <c>/mcp</c> or another entry claims <c>/mcp</c> (the compiler rejects the latter).
/// </para>
/// </summary>
internal sealed class GatewayRouteTable
{
    private readonly List<GatewayRoute> _longestFirst;

    private GatewayRouteTable(List<GatewayRoute> routes)
    {
        Routes = routes;
        _longestFirst = [.. routes.OrderByDescending(r => r.ExposePath == "/" ? 0 : r.ExposePath.Length)];
    }

    /// <summary>Routes in manifest order, then the <c>default_mcp</c> alias: the order <c>up</c> prints them in.</summary>
    public IReadOnlyList<GatewayRoute> Routes { get; }

    public static GatewayRouteTable Build(KitBundle kit)
    {
        var routes = new List<GatewayRoute>();
        foreach (var expose in kit.Expose)
        {
            var path = EndpointPaths.Normalize(expose.Path);
            if (routes.Any(r => r.ExposePath == path))
            {
                continue; // the compiler refuses duplicates; keep the first if a hand-made bundle has one
            }
            var target = kit.Workloads.GetValueOrDefault(expose.Target);
            var protocols = expose.Endpoints.Count > 0 ? expose.Endpoints : target?.Endpoints.Select(e => e.Protocol).ToList() ?? [];
            var endpointPaths = protocols.Select(p => EndpointPathOf(target, p)).Distinct(StringComparer.Ordinal).ToList();
            routes.Add(new GatewayRoute(path, expose.Target, EndpointPaths.CommonPrefix(endpointPaths)));
        }

        if (kit.Expose.FirstOrDefault(e => e.DefaultMcp) is { } defaultMcp && routes.All(r => r.ExposePath != "/mcp"))
        {
            var target = kit.Workloads.GetValueOrDefault(defaultMcp.Target);
            routes.Add(new GatewayRoute("/mcp", defaultMcp.Target, EndpointPathOf(target, "mcp"), IsDefaultMcpAlias: true));
        }
        return new GatewayRouteTable(routes);
    }

    /// <summary>The route covering <paramref name="requestPath"/> and the path to forward, or null (404).</summary>
    public GatewayMatch? Match(string requestPath)
    {
        var path = requestPath.Length == 0 ? "/" : requestPath;
        foreach (var route in _longestFirst)
        {
            if (route.UpstreamPathFor(path) is { } upstream)
            {
                return new GatewayMatch(route, upstream);
            }
        }
        return null;
    }

    private static string EndpointPathOf(WorkloadModel? target, string protocol) =>
        EndpointPaths.Normalize(
            target?.Endpoints.FirstOrDefault(e => string.Equals(e.Protocol, protocol, StringComparison.Ordinal))?.Path
            ?? EndpointPaths.Default(protocol));
}
