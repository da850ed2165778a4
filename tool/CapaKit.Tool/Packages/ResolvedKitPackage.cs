using NuGet.Versioning;

namespace CapaKit.Tool.Packages;

/// <summary>A Kit package extracted in the global packages folder, ready to be materialized as a project.</summary>
/// <param name="Id">The id as the package spells it (the nuspec's), whatever case the user typed.</param>
/// <param name="InstallPath">The package's folder in the global packages folder (read-only by convention: never run from it).</param>
/// <param name="ContentHash">The package's SHA-512 as NuGet recorded it, so a cached copy can tell the package changed.</param>
/// <param name="Imports">The Kit's imports of other Kit packages: its nuspec dependencies, as id and version range.</param>
/// <param name="UnreadableSources">Feeds (as configured) that failed while the package was looked for.</param>
public sealed record ResolvedKitPackage(
    string Id,
    NuGetVersion Version,
    string InstallPath,
    string ContentHash,
    IReadOnlyList<KitPackageImport> Imports,
    IReadOnlyList<string>? UnreadableSources = null)
{
    public string KitDirectory => Path.Combine(InstallPath, KitPackageType.KitFolder);
}

/// <summary>One nuspec dependency of a Kit package: another Kit it imports.</summary>
public sealed record KitPackageImport(string Id, VersionRange Range);
