using NuGet.Versioning;

namespace CapaKit.Tool.Packages;

/// <summary>
/// Where Kit packages run from: <c>$XDG_CACHE_HOME/capakit/packages/&lt;id&gt;/&lt;version&gt;/</c> (else under
/// <c>~/.cache</c>), one generated project per package version. The global packages folder stays read-only:
/// a Kit's workload roots are read-write (node_modules, build output) and must not change a shared package.
/// </summary>
public static class KitPackageCache
{
    public static string Root => Path.Combine(Runtime.UserCache.Root, "packages");

    public static string Directory(string id, NuGetVersion version) =>
        Path.Combine(Root, id.ToLowerInvariant(), version.ToNormalizedString().ToLowerInvariant());

    /// <summary>Whether <paramref name="projectFile"/> is a project `up &lt;PackageId&gt;` generated (it lives in the cache).</summary>
    public static bool Holds(string projectFile) =>
        Path.GetFullPath(projectFile).StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>
    /// The generated project of an already materialized package, without asking any feed (for <c>down</c> and <c>--kit</c>): the
    /// version given, else the one running, else the highest cached; null when the package never ran here.
    /// </summary>
    public static string? FindProject(KitPackageSpec spec)
    {
        var idDirectory = Path.Combine(Root, spec.Id.ToLowerInvariant());
        if (!System.IO.Directory.Exists(idDirectory))
        {
            return null;
        }
        var candidates = System.IO.Directory.GetDirectories(idDirectory)
            .Select(d => (version: NuGetVersion.TryParse(Path.GetFileName(d), out var v) ? v : null, directory: d))
            .Where(c => c.version is not null && (spec.Version is null || c.version == spec.Version))
            .Select(c => (c.version, project: System.IO.Directory.GetFiles(c.directory, "*.kitproj").FirstOrDefault()))
            .Where(c => c.project is not null)
            .OrderByDescending(c => c.version)
            .ToList();
        var running = candidates.Where(c => IsRunning(c.project!)).ToList();
        if (running.Count > 1)
        {
            throw new CapaKitException(ExitCodes.Usage,
                $"Several versions of {spec.Id} are running ({string.Join(", ", running.Select(r => r.version!.ToNormalizedString()))}); name one as {spec.Id}@<version>.");
        }
        return running.Count == 1 ? running[0].project : candidates.FirstOrDefault().project;
    }

    /// <summary>
    /// How a command names this Kit with <c>--kit</c>: the package id (and version) for a generated package project,
    /// else the project path; null when the Kit is the one in <paramref name="currentDirectory"/>.
    /// </summary>
    public static string? KitOptionFor(string projectFile, string currentDirectory)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(projectFile))!;
        if (string.Equals(directory, Path.GetFullPath(currentDirectory).TrimEnd('/'), StringComparison.Ordinal))
        {
            return null;
        }
        var root = Root + Path.DirectorySeparatorChar;
        if (directory.StartsWith(root, StringComparison.Ordinal)
            && NuGetVersion.TryParse(Path.GetFileName(directory), out var version))
        {
            return $"{Path.GetFileNameWithoutExtension(projectFile)}@{version.ToNormalizedString()}";
        }
        return projectFile;
    }

    private static bool IsRunning(string projectFile) =>
        Runtime.InstanceState.Read(new Runtime.InstancePaths(new Kits.KitProject(projectFile)).StateFile)?.IsAlive() == true;
}
