using CapaKit.Tool.Output;

namespace CapaKit.Tool.Packages;

/// <summary>`up &lt;PackageId&gt;[@version]`: resolves and downloads the package, then materializes the project `up` runs.</summary>
public static class KitPackageLauncher
{
    /// <summary>How many left-out files a warning names before it counts the rest.</summary>
    private const int NamedFiles = 5;

    /// <summary>Returns the generated .kitproj of the package, ready for <see cref="Kits.KitProject.Locate"/>.</summary>
    public static async Task<string> PrepareAsync(KitPackageSpec spec, string? source, string currentDirectory, ConsoleOutput output, CancellationToken ct)
    {
        var feeds = KitFeeds.Load(currentDirectory, source);
        var (package, materialized) = await output.StatusAsync($"Resolving {spec}", async status =>
        {
            var resolved = await KitPackageResolver.ResolveAsync(spec, feeds, status, ct);
            status($"Preparing {resolved.Id} {resolved.Version.ToNormalizedString()}");
            return (resolved, KitPackageWorkspace.Materialize(resolved, feeds));
        });
        var name = $"{package.Id} {package.Version.ToNormalizedString()}";
        if (materialized.LeftOut.Count > 0)
        {
            var named = string.Join(", ", materialized.LeftOut.Take(NamedFiles));
            var more = materialized.LeftOut.Count > NamedFiles ? $" and {materialized.LeftOut.Count - NamedFiles} more" : "";
            output.Info($"warning: CAPA0534: Kit package {name} ships files that are not part of a Kit and could change how it builds here ({named}{more}); they were left out.");
        }
        foreach (var link in materialized.ReplacedLinks)
        {
            output.Info($"warning: CAPA0535: {link} was a symbolic link (a workload can plant one in its folder); it was removed, not followed, and the package's file written in its place.");
        }
        output.Info($"Kit package {name} (project {materialized.ProjectFile}).");
        return materialized.ProjectFile;
    }
}
