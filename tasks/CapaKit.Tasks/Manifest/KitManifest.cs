using CapaKit.Tasks.Diagnostics;

namespace CapaKit.Tasks.Manifest;

/// <summary>A <c>capability.yml</c> as written, with the location of every node the validator may blame.</summary>
public sealed class KitManifest
{
    public required string File { get; init; }
    public string? Version { get; set; }
    public Located<string>? Name { get; set; }
    public string? License { get; set; }
    public List<OptionDecl> Options { get; } = [];
    public List<HostMountDecl> HostMounts { get; } = [];
    public List<SecretDecl> Secrets { get; } = [];
    public List<DependencyDecl> Dependencies { get; } = [];
    public List<WorkloadDecl> Workloads { get; } = [];
    public List<ExposeDecl> Expose { get; } = [];
    public SourceLocation Location { get; init; }
}

/// <summary>A value and where it was written.</summary>
public sealed record Located<T>(T Value, SourceLocation Location);

public sealed class OptionDecl
{
    public required Located<string> Name { get; init; }
    public Located<string>? Kind { get; set; }
    /// <summary>The default as written (scalar text), or null when absent.</summary>
    public Located<string>? Default { get; set; }
    /// <summary>True when the default was written as a quoted or non-numeric scalar.</summary>
    public bool DefaultIsQuoted { get; set; }
    public string? Description { get; set; }
    public List<Located<string>>? EnumValues { get; set; }
}

public sealed class HostMountDecl
{
    public required Located<string> Name { get; init; }
    public string? Usage { get; set; }
    public Located<string>? Access { get; set; }
}

public sealed class SecretDecl
{
    public required Located<string> Name { get; init; }
    public string? Description { get; set; }
}

public sealed class DependencyDecl
{
    public required Located<string> Alias { get; init; }
    public Located<string>? Package { get; set; }
    public Located<string>? Path { get; set; }
    public SourceLocation SourceLocation { get; set; }
    /// <summary>Their option name → our option name (<c>from_option</c>).</summary>
    public List<(Located<string> Theirs, Located<string> Ours)> Options { get; } = [];
    /// <summary>Their mount name → our mount name.</summary>
    public List<(Located<string> Theirs, Located<string> Ours)> MountBindings { get; } = [];
}

public sealed class WorkloadDecl
{
    public required Located<string> Name { get; init; }
    public List<MountRef> Mounts { get; } = [];
    public List<EndpointDecl> Endpoints { get; } = [];
    public List<Located<string>> Connections { get; } = [];
    public List<Located<string>> Secrets { get; } = [];
    public ImportDecl? Import { get; set; }
    public RuntimeDecl? Runtime { get; set; }
    /// <summary>CapaKit extension: restart policy of the started workload.</summary>
    public Located<string>? Restart { get; set; }
}

public sealed class MountRef
{
    public required Located<string> Mount { get; init; }
    /// <summary>Null means the host mount's own access.</summary>
    public Located<string>? Access { get; set; }
    public SourceLocation Location { get; init; }
}

public sealed class EndpointDecl
{
    public required Located<string> Protocol { get; init; }
    public Located<string>? Path { get; set; }
}

public sealed class ImportDecl
{
    public Located<string>? Dependency { get; set; }
    public Located<string>? ExposedPath { get; set; }
    public SourceLocation Location { get; init; }
}

public sealed class RuntimeDecl
{
    public SourceLocation Location { get; init; }
    public SourceLocation SourceLocation { get; set; }
    public Located<string>? Toolchain { get; set; }
    public Dictionary<string, PhaseDecl> Phases { get; } = new(StringComparer.Ordinal);
}

public sealed class PhaseDecl
{
    public required string Name { get; init; }
    public SourceLocation Location { get; init; }
    public Located<string>? Command { get; set; }
    /// <summary>Set when the command was written as a list of arguments.</summary>
    public List<string>? CommandArgs { get; set; }
    /// <summary>Environment variable → option name.</summary>
    public List<(Located<string> Variable, Located<string> Option)> EnvFromOptions { get; } = [];
    /// <summary><c>none</c>, <c>registry</c> or <c>full</c> as resolved from <c>network</c>/<c>allow_network</c>; null when not asked.</summary>
    public Located<string>? Network { get; set; }
    public Located<int>? TimeoutSeconds { get; set; }
    /// <summary>The <c>registries</c> list as written (hosts or https URLs); null when absent.</summary>
    public List<Located<string>>? Registries { get; set; }
    /// <summary>Where the <c>registries</c> key was written.</summary>
    public SourceLocation RegistriesLocation { get; set; }
}

public sealed class ExposeDecl
{
    public SourceLocation Location { get; init; }
    public Located<string>? Path { get; set; }
    public Located<string>? Target { get; set; }
    public List<Located<string>> Endpoints { get; } = [];
    public bool DefaultMcp { get; set; }
    public SourceLocation DefaultMcpLocation { get; set; }
}
