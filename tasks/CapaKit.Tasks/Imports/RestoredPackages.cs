using System.Text.Json;

namespace CapaKit.Tasks.Imports;

/// <summary>A package the restore chose, and where it was extracted.</summary>
/// <param name="Id">The id as the feed spells it.</param>
/// <param name="Folder">The extracted package folder; null for a library that is a project.</param>
/// <param name="ProjectFile">For a library the restore resolved to a project reference: that project.</param>
public sealed record RestoredPackage(string Id, string Version, string? Folder, string? ProjectFile);

/// <summary>
/// The packages of <c>project.assets.json</c>. Kit imports resolve here rather than through <c>$(Pkg*)</c> properties
/// because transitive Kits must resolve too, and the assets file holds the whole graph with one version per id.
/// </summary>
public sealed class RestoredPackages
{
    private readonly Dictionary<string, RestoredPackage> _byId;

    private RestoredPackages(Dictionary<string, RestoredPackage> byId) => _byId = byId;

    public static RestoredPackages Empty { get; } = new(new(StringComparer.OrdinalIgnoreCase));

    public RestoredPackage? Find(string id) => _byId.GetValueOrDefault(id);

    public static RestoredPackages Read(string assetsFile)
    {
        using var stream = File.OpenRead(assetsFile);
        using var document = JsonDocument.Parse(stream);
        var root = document.RootElement;
        var folders = root.TryGetProperty("packageFolders", out var packageFolders) && packageFolders.ValueKind == JsonValueKind.Object
            ? packageFolders.EnumerateObject().Select(f => f.Name).ToList()
            : [];
        var projectDirectory = root.TryGetProperty("project", out var project)
            && project.TryGetProperty("restore", out var restore)
            && restore.TryGetProperty("projectPath", out var projectPath)
            ? Path.GetDirectoryName(projectPath.GetString())
            : Path.GetDirectoryName(Path.GetDirectoryName(assetsFile));

        var byId = new Dictionary<string, RestoredPackage>(StringComparer.OrdinalIgnoreCase);
        if (!root.TryGetProperty("libraries", out var libraries) || libraries.ValueKind != JsonValueKind.Object)
        {
            return new RestoredPackages(byId);
        }
        foreach (var library in libraries.EnumerateObject())
        {
            var slash = library.Name.IndexOf('/');
            if (slash <= 0)
            {
                continue;
            }
            var id = library.Name[..slash];
            var version = library.Name[(slash + 1)..];
            var type = library.Value.TryGetProperty("type", out var t) ? t.GetString() : null;
            var path = library.Value.TryGetProperty("path", out var p) ? p.GetString() : null;
            if (type == "project")
            {
                var msbuildProject = library.Value.TryGetProperty("msbuildProject", out var m) ? m.GetString() : path;
                byId[id] = new RestoredPackage(id, version, null,
                    msbuildProject is null || projectDirectory is null ? null : Path.GetFullPath(Path.Combine(projectDirectory, msbuildProject)));
            }
            else if (type == "package" && path is not null)
            {
                var folder = folders.Select(f => Path.Combine(f, path)).FirstOrDefault(Directory.Exists)
                    ?? Path.Combine(folders.FirstOrDefault() ?? "", path);
                byId[id] = new RestoredPackage(id, version, Path.GetFullPath(folder), null);
            }
        }
        return new RestoredPackages(byId);
    }
}
