namespace CapaKit.Tool.Kits;

/// <summary>A Kit on disk: its .kitproj, the manifest next to it, and where its build puts the bundle.</summary>
public sealed record KitProject(string ProjectFile, string Configuration = "Debug")
{
    public string Directory => Path.GetDirectoryName(ProjectFile)!;
    public string ManifestFile => Path.Combine(Directory, "capability.yml");
    public string BundleDirectory => Path.Combine(Directory, "bin", Configuration, "kit");
    public string StampFile => Path.Combine(Directory, "obj", Configuration, "capakit.bundle.stamp");
    /// <summary>The imported Kits' manifests the last build compiled (one path a line), written by the SDK.</summary>
    public string InputsFile => Path.Combine(Directory, "obj", Configuration, "capakit.bundle.inputs");
    /// <summary>The last restore's result: a changed package graph (an imported Kit's version) makes the bundle stale.</summary>
    public string AssetsFile => Path.Combine(Directory, "obj", "project.assets.json");

    /// <summary>
    /// The Kit named by <paramref name="path"/> (a .kitproj or a folder holding exactly one), or the one in
    /// the current directory.
    /// </summary>
    public static KitProject Locate(string? path, string currentDirectory, string configuration = "Debug")
    {
        var target = Path.GetFullPath(path ?? ".", currentDirectory);
        if (File.Exists(target))
        {
            if (!target.EndsWith(".kitproj", StringComparison.OrdinalIgnoreCase))
            {
                throw new CapaKitException(ExitCodes.Usage, $"'{path}' is not a .kitproj; name a Kit project or the folder that holds one.");
            }
            return new KitProject(target, configuration);
        }
        if (!System.IO.Directory.Exists(target))
        {
            // A Kit package that `up <PackageId>` ran here: its generated project in the cache (no feed is asked).
            if (Packages.KitPackageSpec.TryParse(path, currentDirectory) is { } package)
            {
                return Packages.KitPackageCache.FindProject(package) is { } project
                    ? new KitProject(project, configuration)
                    : throw new CapaKitException(ExitCodes.Usage, $"Kit package {package} has not been run here; start it with: dotnet capakit up {package}");
            }
            throw new CapaKitException(ExitCodes.Usage, $"'{path ?? target}' does not exist; name a Kit project or the folder that holds one.");
        }
        var projects = System.IO.Directory.GetFiles(target, "*.kitproj");
        return projects.Length switch
        {
            1 => new KitProject(projects[0], configuration),
            0 => throw new CapaKitException(ExitCodes.Usage,
                $"No .kitproj in {target}; run this in a Kit's folder or pass --kit <path to the .kitproj>."),
            _ => throw new CapaKitException(ExitCodes.Usage,
                $"{target} holds several .kitproj files ({string.Join(", ", projects.Select(Path.GetFileName))}); pass --kit to choose one."),
        };
    }
}
