namespace CapaKit.Sdk.Tests;

/// <summary>A temp Kit project: a .kitproj on the packed SDK, its capability.yml and workload folders.</summary>
public sealed class KitProject
{
    public KitProject(string name, string manifest, params string[] workloads)
        : this(name, manifest, workloads, SdkFeed.NewWorkspace(name))
    {
    }

    /// <summary>A Kit in a given workspace, so Kits can reference each other by relative path.</summary>
    public static KitProject In(string workspace, string name, string manifest, params string[] workloads) =>
        new(name, manifest, workloads, workspace);

    private KitProject(string name, string manifest, string[] workloads, string workspace)
    {
        Directory = Path.Combine(workspace, name);
        System.IO.Directory.CreateDirectory(Directory);
        ProjectFile = Path.Combine(Directory, name + ".kitproj");
        File.WriteAllText(ProjectFile, $"<Project Sdk=\"CapaKit.Sdk/{SdkFeed.Version}\" />\n");
        File.WriteAllText(ManifestFile, manifest);
        foreach (var workload in workloads)
        {
            var root = Path.Combine(Directory, "workloads", workload);
            System.IO.Directory.CreateDirectory(root);
            File.WriteAllText(Path.Combine(root, "index.ts"), "console.log('hi');\n");
        }
    }

    public string Directory { get; }
    public string ProjectFile { get; }
    public string ManifestFile => Path.Combine(Directory, "capability.yml");
    public string BundleDirectory => Path.Combine(Directory, "bin", "Debug", "kit");

    public string Bundle(string relative) => Path.Combine(BundleDirectory, relative);

    public CliResult Build(params string[] extra) => DotnetCli.Run(Directory, ["build", ProjectFile, .. extra]);

    public CliResult Pack(params string[] extra) => DotnetCli.Run(Directory, ["pack", ProjectFile, "-o", SdkFeed.Feed, .. extra]);

    /// <summary>Rewrites the project file with these elements inside <c>&lt;Project&gt;</c>.</summary>
    public void SetProjectBody(string body) =>
        File.WriteAllText(ProjectFile, $"<Project Sdk=\"CapaKit.Sdk/{SdkFeed.Version}\">\n{body}\n</Project>\n");

    public string ReadModel() => File.ReadAllText(Bundle("kit.json"));

    /// <summary>Last-write times of every file in the bundle, keyed by bundle-relative path.</summary>
    public Dictionary<string, DateTime> BundleTimestamps() =>
        System.IO.Directory.EnumerateFiles(BundleDirectory, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(BundleDirectory, f), File.GetLastWriteTimeUtc);
}
