using System.Net;

namespace CapaKit.Tool.Egress;

/// <summary>
/// The policy's answer for one destination, with the addresses it checked. An allowed decision must be
/// connected to through <see cref="Addresses"/> only, never by resolving the name again.
/// </summary>
public sealed record EgressDecision(string Host, int Port, EgressVerdict Verdict, IReadOnlyList<IPAddress> Addresses, string Reason)
{
    public bool Allowed => Verdict == EgressVerdict.Allowed;

    /// <summary>The request kind that asked (CONNECT, GET, ...); set by the proxy, empty from the policy alone.</summary>
    public string Method { get; init; } = "";

    public override string ToString() => $"{Method} {Host}:{Port} {Verdict}: {Reason}".TrimStart();
}
