using CapaKit.Tasks.Imports;

namespace CapaKit.Tasks.Tests.Imports;

/// <summary>Kit projects written to a temp folder: a .kitproj, its capability.yml and a folder per workload.</summary>
internal sealed class KitWorkspace : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("capakit-imports-").FullName;

    /// <summary>Writes <c>&lt;name&gt;/&lt;name&gt;.kitproj</c> and its manifest; workloads are the folders to create.</summary>
    public KitReference Kit(string name, string manifest, params string[] workloads)
    {
        var directory = Path.Combine(Root, name);
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, name + ".kitproj"), "<Project Sdk=\"CapaKit.Sdk/0.0.0\" />\n");
        File.WriteAllText(Path.Combine(directory, "capability.yml"), manifest);
        foreach (var workload in workloads)
        {
            Directory.CreateDirectory(Path.Combine(directory, "workloads", workload));
            File.WriteAllText(Path.Combine(directory, "workloads", workload, "index.ts"), "console.log('hi');\n");
        }
        return new KitReference(Path.Combine(directory, name + ".kitproj"), Path.Combine(directory, "capability.yml"), Path.Combine(directory, "bin", "kit"));
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}

internal sealed record KitReference(string ProjectFile, string ManifestFile, string BundleDirectory)
{
    public KitProjectReference AsProjectReference(string? packageId = null, string? version = null) =>
        new(ProjectFile, ManifestFile, packageId, version);
}
