using System.Text.Json.Serialization;

namespace CapaKit.Bundle;

/// <summary>
/// The resolved model of a Kit (<c>kit.json</c>). The runtime reads this, never the YAML manifest.
/// Maps are sorted so the file is byte-stable across builds of the same manifest.
/// </summary>
public sealed record KitBundle
{
    /// <summary>Format version; the runtime refuses a bundle whose version it does not know.</summary>
    public int BundleVersion { get; init; } = BundleFormat.CurrentVersion;

    /// <summary>Version of CapaKit.Sdk that compiled the bundle.</summary>
    public required string CompilerVersion { get; init; }

    public required KitInfo Kit { get; init; }

    public SortedDictionary<string, OptionModel> Options { get; init; } = new(StringComparer.Ordinal);

    public SortedDictionary<string, HostMountModel> HostMounts { get; init; } = new(StringComparer.Ordinal);

    public SortedDictionary<string, SecretModel> Secrets { get; init; } = new(StringComparer.Ordinal);

    public SortedDictionary<string, DependencyModel> Dependencies { get; init; } = new(StringComparer.Ordinal);

    public SortedDictionary<string, WorkloadModel> Workloads { get; init; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Names of the manifest's <c>import</c> workloads → the imported workload that serves that exposed path.
    /// They run no process of their own; <c>exec</c>, <c>logs</c> and tests accept either name.
    /// </summary>
    public SortedDictionary<string, string> WorkloadAliases { get; init; } = new(StringComparer.Ordinal);

    public List<ExposeModel> Expose { get; init; } = [];

    /// <summary>The Kit's agent skills (<c>skills/&lt;name&gt;/SKILL.md</c>), sorted by name.</summary>
    public List<SkillModel> Skills { get; init; } = [];

    /// <summary>Workloads in an order where every workload comes after the workloads it connects to.</summary>
    public List<string> StartOrder { get; init; } = [];

    public required IdentityModel Identity { get; init; }

    /// <summary>A workload by its bundle name or by the name of an <c>import</c> workload; null when there is none.</summary>
    public WorkloadModel? FindWorkload(string name) =>
        Workloads.TryGetValue(name, out var workload) ? workload
        : WorkloadAliases.TryGetValue(name, out var real) && Workloads.TryGetValue(real, out workload) ? workload
        : null;
}

public sealed record KitInfo
{
    public required string Name { get; init; }
    public string? License { get; init; }
    /// <summary>Absolute path of the folder holding the manifest; workload roots are relative to it.</summary>
    public required string Directory { get; init; }
    public required string ManifestFile { get; init; }
    public string? ProjectFile { get; init; }
    /// <summary>The project's UserSecretsId: where `dotnet user-secrets` and `dotnet capakit secrets` keep this Kit's secrets.</summary>
    public string? UserSecretsId { get; init; }
}

public sealed record OptionModel
{
    /// <summary><c>string</c>, <c>number</c> or <c>enum</c>.</summary>
    public required string Kind { get; init; }
    /// <summary>The default as the text a workload sees in its environment; null means the option is required.</summary>
    public string? Default { get; init; }
    public string? Description { get; init; }
    public List<string>? EnumValues { get; init; }
}

public sealed record HostMountModel
{
    public string? Usage { get; init; }
    /// <summary><c>read_only</c> or <c>read_write</c>.</summary>
    public required string Access { get; init; }
}

public sealed record SecretModel
{
    public string? Description { get; init; }
}

public sealed record DependencyModel
{
    /// <summary>NuGet package id of the imported Kit, when the source is a package.</summary>
    public string? Package { get; init; }
    /// <summary>Path of the imported Kit's project or folder, when the source is local.</summary>
    public string? Path { get; init; }
    /// <summary>The imported Kit's name (its manifest's <c>name</c>).</summary>
    public string? Kit { get; init; }
    /// <summary>The package version the restore chose, when the source is a package.</summary>
    public string? Version { get; init; }
    /// <summary>Absolute path of the imported Kit's manifest as compiled.</summary>
    public string? ManifestFile { get; init; }
    /// <summary>Bundle names of the imported Kit's workloads (<c>&lt;alias&gt;.&lt;workload&gt;</c>).</summary>
    public List<string> Workloads { get; init; } = [];
    public SortedDictionary<string, string> OptionsFromOptions { get; init; } = new(StringComparer.Ordinal);
    public SortedDictionary<string, string> MountBindings { get; init; } = new(StringComparer.Ordinal);
}

public sealed record WorkloadModel
{
    /// <summary>The bundle name: the manifest's name, or <c>&lt;alias&gt;.&lt;name&gt;</c> for an imported Kit's workload.</summary>
    public required string Name { get; init; }
    /// <summary>
    /// Workload root: relative to <see cref="KitInfo.Directory"/> (<c>workloads/&lt;name&gt;</c>), or absolute for an
    /// imported Kit's workload (its project's folder, or the build's copy of a package's sources).
    /// </summary>
    public required string Root { get; init; }
    public required string Toolchain { get; init; }
    public List<EndpointModel> Endpoints { get; init; } = [];
    /// <summary>The workloads this one may call, by bundle name.</summary>
    public List<string> Connections { get; init; } = [];
    /// <summary>
    /// Bundle name of a connected workload → the names this workload's code knows it by, where they differ (an imported
    /// Kit's own peers, or an <c>import</c> workload of the importer). <c>CAPAKIT_CONNECTED_WORKLOADS</c> uses these names.
    /// </summary>
    public SortedDictionary<string, List<string>> ConnectionNames { get; init; } = new(StringComparer.Ordinal);
    /// <summary>
    /// Bundle name of a connected workload → the endpoint protocols this workload may use there, where it is limited:
    /// a connection to an <c>import</c> workload offers only what the imported Kit exposes at that path.
    /// </summary>
    public SortedDictionary<string, List<string>> ConnectionEndpoints { get; init; } = new(StringComparer.Ordinal);
    /// <summary>The Kit the workload comes from, when imported: the dependency aliases from the root Kit down, joined by '.'.</summary>
    public string? ImportedFrom { get; init; }
    public List<WorkloadMountModel> Mounts { get; init; } = [];
    /// <summary>The secrets this workload may resolve, by bundle name.</summary>
    public List<string> Secrets { get; init; } = [];
    /// <summary>
    /// Bundle name of a secret → the name this workload's code asks the bridge for, where they differ: an imported
    /// Kit's secrets are <c>&lt;alias&gt;.&lt;name&gt;</c> in the bundle (and in the importer's secret store).
    /// </summary>
    public SortedDictionary<string, string> SecretNames { get; init; } = new(StringComparer.Ordinal);
    /// <summary>Phases by name: <c>prepare</c>, <c>hydrate</c>, <c>start</c>.</summary>
    public SortedDictionary<string, PhaseModel> Phases { get; init; } = new(StringComparer.Ordinal);
    public required WorkloadIdentityModel Identity { get; init; }
    /// <summary>What the runtime does when the started workload exits: <c>on-failure</c> (default), <c>always</c> or <c>no</c>.</summary>
    public string Restart { get; init; } = RestartPolicy.OnFailure;
}

/// <summary>Restart policies of a started workload.</summary>
public static class RestartPolicy
{
    public const string OnFailure = "on-failure";
    public const string Always = "always";
    public const string No = "no";
    public static readonly IReadOnlyList<string> All = [OnFailure, Always, No];
}

public sealed record EndpointModel
{
    /// <summary>One of <see cref="BundleFormat.EndpointProtocols"/>.</summary>
    public required string Protocol { get; init; }
    /// <summary>Path on the workload's ingress, always starting with '/'.</summary>
    public required string Path { get; init; }
}

public sealed record WorkloadMountModel
{
    public required string Mount { get; init; }
    public required string Access { get; init; }
}

public sealed record PhaseModel
{
    /// <summary>The command as written in the manifest.</summary>
    public required string Command { get; init; }
    /// <summary>The argument vector the runtime executes (a shell only when the command needs one).</summary>
    public required List<string> Argv { get; init; }
    /// <summary>One of <see cref="NetworkAccess"/>.</summary>
    public required string Network { get; init; }
    /// <summary>
    /// Hosts (or <c>*.domain</c> wildcards) the egress proxy lets a <c>registry</c> phase reach, from the manifest's
    /// <c>registries</c> (default registry.npmjs.org); empty for other phases. The runtime's only source for that allowlist.
    /// </summary>
    public List<string> Registries { get; init; } = [];
    public SortedDictionary<string, string> EnvFromOptions { get; init; } = new(StringComparer.Ordinal);
    public int TimeoutSeconds { get; init; }
    /// <summary>Bundle-relative path of the macOS Seatbelt profile.</summary>
    public required string SeatbeltProfile { get; init; }
    /// <summary>Bundle-relative path of the Linux sandbox spec.</summary>
    public required string LinuxSpec { get; init; }
}

public sealed record WorkloadIdentityModel
{
    /// <summary><c>spiffe://&lt;kit&gt;.capakit.local/&lt;workload&gt;</c>.</summary>
    public required string SpiffeId { get; init; }
    /// <summary>Bundle-relative path of the workload's certificate (PEM).</summary>
    public required string Certificate { get; init; }
    /// <summary>Bundle-relative path of the workload's private key (PEM, 0600).</summary>
    public required string Key { get; init; }
}

public sealed record IdentityModel
{
    public required string TrustDomain { get; init; }
    /// <summary>Bundle-relative path of the Kit CA certificate.</summary>
    public required string CaCertificate { get; init; }
}

public sealed record ExposeModel
{
    public required string Path { get; init; }
    public required string Target { get; init; }
    public List<string> Endpoints { get; init; } = [];
    public bool DefaultMcp { get; init; }
}

/// <summary>An agent skill the Kit ships.</summary>
public sealed record SkillModel
{
    public required string Name { get; init; }
    public required string Description { get; init; }
    /// <summary>Bundle-relative path of the skill's SKILL.md (<c>skills/&lt;name&gt;/SKILL.md</c>).</summary>
    public required string Path { get; init; }
}

/// <summary>How much network a phase has.</summary>
public static class NetworkAccess
{
    /// <summary>No IP networking at all (only the runtime's unix sockets).</summary>
    public const string None = "none";
    /// <summary>Only the package registries, through the runtime's egress proxy.</summary>
    public const string Registry = "registry";
    /// <summary>Full network.</summary>
    public const string Full = "full";
}

[JsonSourceGenerationOptions(
    WriteIndented = true,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(KitBundle))]
[JsonSerializable(typeof(LinuxSandboxSpec))]
[JsonSerializable(typeof(KitTests))]
public sealed partial class BundleJsonContext : JsonSerializerContext;
