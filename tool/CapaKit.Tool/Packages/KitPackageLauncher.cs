using CapaKit.Tool.Output;

namespace CapaKit.Tool.Packages;

/// <summary>`up &lt;PackageId&gt;[@version]`: resolves and downloads the package, then materializes the project `up` runs.</summary>
public static class KitPackageLauncher
{
    /// <summary>Returns the generated .kitproj of the package, ready for <see cref="Kits.KitProject.Locate"/>.</summary>
    public static async Task<string> PrepareAsync(KitPackageSpec spec, string? source, string currentDirectory, ConsoleOutput output, CancellationToken ct)
    {
        var feeds = KitFeeds.Load(currentDirectory, source);
        var (package, project) = await output.StatusAsync($"Resolving {spec}", async status =>
        {
            var resolved = await KitPackageResolver.ResolveAsync(spec, feeds, status, ct);
            status($"Preparing {resolved.Id} {resolved.Version.ToNormalizedString()}");
            return (resolved, KitPackageWorkspace.Materialize(resolved, feeds));
        });
        output.Info($"Kit package {package.Id} {package.Version.ToNormalizedString()} (project {project}).");
        return project;
    }
}
