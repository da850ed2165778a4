using Microsoft.Extensions.Logging;

namespace CapaKit.Tool.Secrets;

/// <summary>Log messages of the secrets bridge. They name secrets and workloads, never values.</summary>
internal static partial class SecretsLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Secrets bridge for workload {Workload} listening on {SocketPath} (may resolve: {Secrets})")]
    public static partial void Listening(ILogger logger, string workload, string socketPath, string secrets);

    [LoggerMessage(Level = LogLevel.Information, Message = "Workload {Workload} resolved secret {Secret}")]
    public static partial void Granted(ILogger logger, string workload, string secret);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Workload {Workload} was refused secret {Secret}: {Outcome}")]
    public static partial void Refused(ILogger logger, string workload, string secret, SecretOutcome outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Workload {Workload} sent a bridge request that was refused: {Problem}")]
    public static partial void BadRequest(ILogger logger, string workload, string problem);
}
