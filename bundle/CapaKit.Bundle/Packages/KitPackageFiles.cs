namespace CapaKit.Bundle.Packages;

/// <summary>
/// Which files of a Kit package's <c>kit/</c> folder are the Kit. `up &lt;PackageId&gt;` and an importing build copy
/// only these out of a package: anything else could be build logic that MSBuild, NuGet or the dotnet CLI would pick
/// up from the folder the Kit builds in (<c>Directory.Build.*</c>, <c>*.user</c>, <c>*.rsp</c>, <c>obj/</c> with a
/// planted restore or bundle, <c>global.json</c>, <c>nuget.config</c>), and a package is somebody else's code.
/// </summary>
public static class KitPackageFiles
{
    /// <summary>The Kit's own files at the top of <c>kit/</c>.</summary>
    private static readonly string[] TopLevelFiles = ["capability.yml", "capability-test.yml", "imports.json"];

    /// <summary>The folders holding the Kit's sources; inside them, <see cref="IsBuildInput"/> still applies.</summary>
    private static readonly string[] SourceFolders = ["skills", "workloads"];

    /// <summary>Folders MSBuild and the runtime read as build state (restore output, a compiled bundle): never from a package.</summary>
    private static readonly string[] BuildFolders = ["bin", "obj"];

    /// <summary>Whether <paramref name="relativePath"/> (relative to <c>kit/</c>, either separator) is part of the Kit.</summary>
    public static bool IsKitFile(string relativePath)
    {
        var parts = relativePath.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0 || parts.Any(p => p is "." or ".."))
        {
            return false;
        }
        if (parts.Length == 1)
        {
            return TopLevelFiles.Contains(parts[0], StringComparer.Ordinal) || IsReadme(parts[0]);
        }
        return SourceFolders.Contains(parts[0], StringComparer.Ordinal)
            // Below the workload's (or skill's) own folder, whose name may well be "bin".
            && !parts.Skip(2).SkipLast(1).Any(p => BuildFolders.Contains(p, StringComparer.OrdinalIgnoreCase))
            && !IsBuildInput(parts[^1]);
    }

    private static bool IsReadme(string name) =>
        name.Equals("README", StringComparison.OrdinalIgnoreCase) || name.StartsWith("README.", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// A file name that MSBuild, NuGet or the dotnet CLI reads on its own when it sits in (or above) a project's folder.
    /// None belongs in a Bun workload or a skill, so the rule needs no exceptions.
    /// </summary>
    private static bool IsBuildInput(string name) =>
        name.StartsWith("Directory.Build.", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Directory.Packages.props", StringComparison.OrdinalIgnoreCase)
        || name.Equals("nuget.config", StringComparison.OrdinalIgnoreCase)
        || name.Equals("global.json", StringComparison.OrdinalIgnoreCase)
        || name.EndsWith(".user", StringComparison.OrdinalIgnoreCase)
        || name.EndsWith(".rsp", StringComparison.OrdinalIgnoreCase)
        || name.EndsWith(".props", StringComparison.OrdinalIgnoreCase)
        || name.EndsWith(".targets", StringComparison.OrdinalIgnoreCase);
}
