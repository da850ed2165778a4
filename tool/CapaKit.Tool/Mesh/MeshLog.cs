using Microsoft.Extensions.Logging;

namespace CapaKit.Tool.Mesh;

/// <summary>Log messages of the workload mesh.</summary>
internal static partial class MeshLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Mesh started: {Inbound} inbound proxies, {Connections} connections")]
    public static partial void Started(ILogger logger, int inbound, int connections);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Mesh {Kind}: {Source} -> {Target} as {PeerSpiffeId} ({Protocol})")]
    public static partial void Accepted(ILogger logger, MeshEventKind kind, string? source, string target, string? peerSpiffeId, System.Security.Authentication.SslProtocols protocol);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mesh {Kind}: {Source} -> {Target}, peer {PeerSpiffeId}: {Reason}")]
    public static partial void Refused(ILogger logger, MeshEventKind kind, string? source, string target, string? peerSpiffeId, string? reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mesh cannot reach the ingress of {Target} at {Ingress}: {Error}")]
    public static partial void IngressUnreachable(ILogger logger, string target, string ingress, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mesh cannot reach the inbound proxy of {Target}: {Error}")]
    public static partial void InboundUnreachable(ILogger logger, string target, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mesh proxy {SocketPath} is at its limit of {Limit} connections; closing a new one")]
    public static partial void TooManyConnections(ILogger logger, string socketPath, int limit);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mesh proxy {SocketPath} accept failed: {Error}")]
    public static partial void AcceptFailed(ILogger logger, string socketPath, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Mesh connection on {SocketPath} failed unexpectedly")]
    public static partial void ConnectionFailed(ILogger logger, string socketPath, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mesh connections still open {Seconds} s after shutdown began; giving up waiting")]
    public static partial void ShutdownSlow(ILogger logger, int seconds);
}
