namespace CapaKit.Tool.Gateway;

/// <summary>How the Kit gateway listens.</summary>
/// <param name="Port">
/// The explicit <c>--port</c>: the gateway binds exactly this port on 127.0.0.1 and fails with a one-sentence
/// <see cref="CapaKitException"/> when it is taken (0 asks the OS for any free port). Null means the Kit's stable
/// <see cref="KitGateway.DefaultPort"/>, moving to the next free port when that one is taken.
/// </param>
public sealed record GatewayOptions(int? Port = null)
{
    /// <summary>
    /// A forwarded exchange with no bytes in either direction (and no response headers yet) for this long is cut.
    /// Generous on purpose: an SSE or WebSocket stream may sit quiet between events, and a model behind an
    /// <c>oaic</c> endpoint may think for minutes before its first byte.
    /// </summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromHours(1);

    /// <summary>How long <see cref="KitGateway.DisposeAsync"/> lets open requests finish before it cuts them.</summary>
    public TimeSpan ShutdownGrace { get; init; } = TimeSpan.FromSeconds(5);
}
