using System.Security.Authentication;

namespace CapaKit.Tool.Mesh;

/// <summary>What happened at one mesh handshake.</summary>
public enum MeshEventKind
{
    /// <summary>A target's inbound proxy accepted a source's client certificate.</summary>
    InboundAccepted,
    /// <summary>A target's inbound proxy refused a client: no certificate, not from the Kit CA, or not a declared source.</summary>
    InboundRefused,
    /// <summary>A source's outbound proxy verified the target's server certificate.</summary>
    OutboundAccepted,
    /// <summary>A source's outbound proxy refused the server it reached (wrong identity, wrong CA) or could not reach it.</summary>
    OutboundRefused,
}

/// <summary>One accepted or refused mesh handshake, for logs and tests.</summary>
/// <param name="Source">
/// The calling workload: the outbound proxy's own workload, or for an inbound proxy the Kit workload the peer's
/// certificate proved to be (null when the certificate proved nothing).
/// </param>
/// <param name="Target">The workload being called.</param>
/// <param name="PeerSpiffeId">The single URI SAN of the certificate the peer presented, null when it presented none or not exactly one.</param>
/// <param name="Protocol">The TLS version agreed, <see cref="SslProtocols.None"/> when the handshake failed.</param>
/// <param name="Reason">Why the handshake was refused; null when accepted.</param>
public sealed record MeshEvent(
    DateTimeOffset Time,
    MeshEventKind Kind,
    string? Source,
    string Target,
    string? PeerSpiffeId,
    SslProtocols Protocol,
    string? Reason)
{
    public bool Accepted => Kind is MeshEventKind.InboundAccepted or MeshEventKind.OutboundAccepted;
}
