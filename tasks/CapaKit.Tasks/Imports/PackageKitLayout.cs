namespace CapaKit.Tasks.Imports;

/// <summary>Where a Kit package keeps the Kit (see docs/bundle-format.md, "Kit packages").</summary>
public static class PackageKitLayout
{
    /// <summary>The nuspec package type of a Kit package.</summary>
    public const string PackageType = "CapaKit";
    public const string KitFolder = "kit";
    public const string ManifestFile = "kit/capability.yml";
    /// <summary>Beside the manifest (<c>kit/imports.json</c> in the package): how the packed Kit's path imports map to packages, <c>{alias: {package, version}}</c>.</summary>
    public const string ImportsFileName = "imports.json";
}
