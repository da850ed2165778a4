namespace CapaKit.Tool.Ingress;

/// <summary>
/// The runtime would not talk to what it found at a workload's ingress: the socket file was replaced (a link, not a
/// socket) or the process listening there is not in that workload's sandbox. The message is the user-facing one, with
/// its CAPA code.
/// </summary>
public sealed class IngressRefusedException(string workload, string message) : Exception(message)
{
    public string Workload { get; } = workload;
}
