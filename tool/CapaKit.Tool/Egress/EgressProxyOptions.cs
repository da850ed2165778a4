namespace CapaKit.Tool.Egress;

/// <summary>Limits of the egress proxy; the defaults suit a package install.</summary>
public sealed record EgressProxyOptions
{
    public static EgressProxyOptions Default { get; } = new();

    /// <summary>Largest request or response head accepted (431 for requests above it).</summary>
    public int MaxHeaderBytes { get; init; } = 64 * 1024;

    /// <summary>How long a client may take to send its request head, and then, in a CONNECT tunnel, its TLS ClientHello.</summary>
    public TimeSpan HeaderTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Budget for resolving and connecting to the upstream.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>A tunnel or forwarded exchange with no bytes in either direction for this long is closed.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Open client connections above this get 503 at once.</summary>
    public int MaxConnections { get; init; } = 512;

    /// <summary>Decisions kept for <see cref="EgressProxy.Decisions"/>; counters keep counting past it.</summary>
    public int MaxRecordedDecisions { get; init; } = 10_000;
}
