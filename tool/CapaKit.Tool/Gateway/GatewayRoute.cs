namespace CapaKit.Tool.Gateway;

/// <summary>One path the gateway answers: requests under <see cref="ExposePath"/> go to <see cref="Workload"/>'s ingress.</summary>
/// <param name="ExposePath">The exposed path, normalized ("/", "/api", "/mcp").</param>
/// <param name="Workload">The target workload.</param>
/// <param name="UpstreamPrefix">What replaces <see cref="ExposePath"/> on the way to the workload (an endpoint path).</param>
/// <param name="IsDefaultMcpAlias">True for the extra <c>/mcp</c> route that <c>default_mcp</c> adds.</param>
internal sealed record GatewayRoute(string ExposePath, string Workload, string UpstreamPrefix, bool IsDefaultMcpAlias = false)
{
    /// <summary>The path the workload sees for <paramref name="requestPath"/>, or null when this route does not cover it.</summary>
    public string? UpstreamPathFor(string requestPath) =>
        EndpointPaths.Remainder(ExposePath, requestPath) is { } rest ? EndpointPaths.Join(UpstreamPrefix, rest) : null;
}

/// <summary>A request matched to its route, with the path to send upstream.</summary>
internal sealed record GatewayMatch(GatewayRoute Route, string UpstreamPath);
