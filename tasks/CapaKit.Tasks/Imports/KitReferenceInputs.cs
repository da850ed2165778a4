namespace CapaKit.Tasks.Imports;

/// <summary>What the project knows about the Kits it may import: its restored packages and its project references.</summary>
public sealed record KitReferenceInputs
{
    /// <summary>The project file of the root Kit, named in the fix of a missing reference.</summary>
    public string? ProjectFile { get; init; }

    /// <summary>The root project's <c>project.assets.json</c>: every package (direct or transitive) the restore chose.</summary>
    public string? AssetsFile { get; init; }

    /// <summary>The root project's <c>ProjectReference</c>s to other <c>.kitproj</c>s.</summary>
    public IReadOnlyList<KitProjectReference> ProjectReferences { get; init; } = [];

    /// <summary>Where the build keeps its own copy of a package Kit's workload sources (they are read-write roots).</summary>
    public string? ImportsDirectory { get; init; }

    public static KitReferenceInputs None { get; } = new();
}

/// <summary>A <c>ProjectReference</c> to another Kit, with what its project said about itself.</summary>
/// <param name="ProjectFile">Full path of the referenced <c>.kitproj</c>.</param>
/// <param name="ManifestFile">Its manifest (<c>CapaKitManifest</c>).</param>
/// <param name="PackageId">The id it packs as; a package of the importer then depends on that id.</param>
/// <param name="PackageVersion">The version it packs as.</param>
public sealed record KitProjectReference(string ProjectFile, string ManifestFile, string? PackageId, string? PackageVersion);
