namespace CapaKit.Tool.Egress;

/// <summary>
/// A registry host that a workload's <c>.npmrc</c> or <c>bunfig.toml</c> names: the file, where in it (line and
/// setting, never the value, which may hold a token) and the normalized host.
/// </summary>
public sealed record RegistryReference(string File, string Where, string Host);
