using Microsoft.Extensions.Logging;

namespace CapaKit.Tool.Egress;

/// <summary>Log messages of the egress proxy.</summary>
internal static partial class EgressLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Egress proxy listening on {SocketPath} for {Hosts}")]
    public static partial void Listening(ILogger logger, string socketPath, string hosts);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Egress allowed: {Method} {Host}:{Port} via {Address}")]
    public static partial void Allowed(ILogger logger, string method, string host, int port, string address);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Egress refused: {Method} {Host}:{Port} ({Verdict}: {Reason})")]
    public static partial void Refused(ILogger logger, string method, string host, int port, EgressVerdict verdict, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Egress upstream {Host}:{Port} unreachable: {Error}")]
    public static partial void ConnectFailed(ILogger logger, string host, int port, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Egress connection ended: {Reason}")]
    public static partial void ConnectionEnded(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Egress proxy accept failed: {Error}")]
    public static partial void AcceptFailed(ILogger logger, string error);
}
