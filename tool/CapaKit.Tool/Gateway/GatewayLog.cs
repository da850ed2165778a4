using Microsoft.Extensions.Logging;

namespace CapaKit.Tool.Gateway;

/// <summary>Log messages of the Kit gateway.</summary>
internal static partial class GatewayLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Gateway listening on {BaseUri}")]
    public static partial void Listening(ILogger logger, Uri baseUri);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gateway port {Preferred} is taken; using {Port} instead")]
    public static partial void PortFallback(ILogger logger, int preferred, int port);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Gateway: {Method} {Path} → {Workload} unavailable: {Reason}")]
    public static partial void Unavailable(ILogger logger, string method, string path, string workload, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Gateway: {Method} {Path} → {Workload} ended with {Error}: {Reason}")]
    public static partial void ForwardFailed(ILogger logger, string method, string path, string workload, string error, string reason);
}
