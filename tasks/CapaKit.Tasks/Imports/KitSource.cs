namespace CapaKit.Tasks.Imports;

public enum KitSourceKind
{
    /// <summary>The Kit being built.</summary>
    Root,
    /// <summary>A Kit imported through a <c>ProjectReference</c> (or a path inside one).</summary>
    Project,
    /// <summary>A Kit imported from a restored NuGet package.</summary>
    Package,
}

/// <summary>Where one Kit of the import graph comes from.</summary>
public sealed record KitSource
{
    public required KitSourceKind Kind { get; init; }
    public required string ManifestFile { get; init; }
    /// <summary>The folder whose <c>workloads/</c> hold the workload roots (a package Kit's is the build's copy).</summary>
    public required string KitDirectory { get; init; }
    /// <summary>The project file, for a root or project Kit.</summary>
    public string? ProjectFile { get; init; }
    public string? PackageId { get; init; }
    public string? Version { get; init; }
    /// <summary>The extracted package folder, for a package Kit.</summary>
    public string? PackageFolder { get; init; }

    /// <summary>What identifies this Kit in the graph (cycles are found on it).</summary>
    public string Identity => Kind == KitSourceKind.Package ? "package:" + PackageId!.ToLowerInvariant() : "project:" + (ProjectFile ?? ManifestFile);

    public override string ToString() => Kind switch
    {
        KitSourceKind.Package => $"package {PackageId} {Version}",
        _ => $"project {Path.GetFileName(ProjectFile ?? ManifestFile)}",
    };
}
