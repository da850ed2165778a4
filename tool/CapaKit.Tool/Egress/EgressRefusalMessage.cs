namespace CapaKit.Tool.Egress;

/// <summary>The one-sentence bodies the proxy answers with, each saying what happened and what to do.</summary>
internal static class EgressRefusalMessage
{
    public static string For(EgressDecision decision, EgressPolicy policy)
    {
        var destination = $"{decision.Host}:{decision.Port}";
        return decision.Verdict switch
        {
            EgressVerdict.HostNotListed =>
                $"CapaKit blocked {destination}: the dependency-install phase may only reach the listed registries ({string.Join(", ", policy.AllowedHosts)}); to allow another, add its host to the phase's `registries` in capability.yml (or set `network: full`).",
            EgressVerdict.PortNotAllowed =>
                $"CapaKit blocked {destination}: the dependency-install phase may only reach the listed registries on ports {string.Join(" and ", policy.AllowedPorts.Order())}; to allow more, set `network: full` in capability.yml.",
            EgressVerdict.NonPublicAddress =>
                $"CapaKit blocked {destination}: it {decision.Reason}, and the dependency-install phase may only reach the listed registries at public addresses; to allow more, set `network: full` in capability.yml.",
            EgressVerdict.InvalidHost =>
                $"CapaKit blocked the destination '{decision.Host}': it is not a valid host name; check the registry URL in .npmrc or bunfig.toml.",
            EgressVerdict.Unresolvable =>
                $"CapaKit could not resolve {decision.Host} ({decision.Reason}); check the registry name and this machine's DNS.",
            EgressVerdict.ServerNameMismatch =>
                $"CapaKit closed the tunnel to {destination}: {decision.Reason}; a tunnel carries TLS to the host it names and no other.",
            _ => $"CapaKit allowed {destination}.",
        };
    }

    public static int StatusCodeFor(EgressVerdict verdict) => verdict == EgressVerdict.Unresolvable ? 502 : 403;

    public static string ConnectFailed(EgressDecision decision, string error) =>
        $"CapaKit could not connect to {decision.Host}:{decision.Port} ({error}); check that the registry is up and reachable from this machine.";

    public static string Malformed(string detail) =>
        $"CapaKit's egress proxy could not use this request ({detail}); send CONNECT host:port or an absolute http:// URL.";

    public static string HeadersTooLarge(int limit) =>
        $"CapaKit's egress proxy refused a request whose headers exceed {limit} bytes; send smaller headers.";

    public const string HeadersTimedOut =
        "CapaKit's egress proxy closed a connection that did not finish its request headers in time; retry the request.";

    public const string TooManyConnections =
        "CapaKit's egress proxy has too many open connections; lower the install's network concurrency and retry.";

    public const string BadUpstreamResponse =
        "CapaKit's egress proxy received a response it could not parse from the registry; retry, or report the registry's behaviour.";
}
