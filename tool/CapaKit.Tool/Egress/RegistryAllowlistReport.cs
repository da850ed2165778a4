namespace CapaKit.Tool.Egress;

/// <summary>
/// The registry hosts a workload's install phase may reach, and the registry settings that could not be used
/// (each a one-sentence problem naming the file, the line and what to change).
/// </summary>
public sealed record RegistryAllowlistReport(IReadOnlyList<string> Hosts, IReadOnlyList<string> Problems);
