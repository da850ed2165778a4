using System.Reflection;
using System.Text.Json;
using System.Xml.Linq;
using CapaKit.Bundle.Packages;
using CapaKit.Tool.Secrets;

namespace CapaKit.Tool.Packages;

/// <summary>What <see cref="KitPackageWorkspace.Materialize(ResolvedKitPackage, KitFeeds)"/> made of a package.</summary>
/// <param name="ProjectFile">The generated <c>&lt;id&gt;.kitproj</c>.</param>
/// <param name="LeftOut">Files of the package's <c>kit/</c> that are not Kit files (<see cref="KitPackageFiles"/>) and were not copied.</param>
/// <param name="ReplacedLinks">Paths in the copy where a symlink stood (planted by a workload) and was replaced by the package's file.</param>
public sealed record MaterializedKitPackage(string ProjectFile, IReadOnlyList<string> LeftOut, IReadOnlyList<string> ReplacedLinks);

/// <summary>
/// Turns an extracted Kit package into a project `up` can run like any local Kit: the package's Kit files copied
/// into a cache folder, a generated <c>&lt;id&gt;.kitproj</c> on the tool's own CapaKit.Sdk that references the Kit's
/// imports, and a nuget.config with the feeds the package came from. Nothing of the package can add build logic:
/// only Kit files are copied (<see cref="KitPackageFiles"/>), the imports are referenced without their build and
/// analyzer assets, and the build runs without response files (<see cref="Kits.KitBuilder"/>).
/// </summary>
public static class KitPackageWorkspace
{
    /// <summary>Records which package content the copy holds and which files came from it.</summary>
    private const string MarkerFile = ".capakit-package.json";

    /// <summary>
    /// The version of the copy rules. A copy made under older rules is redone even when the package is unchanged, so
    /// files those rules let through (a package's Directory.Build.rsp, obj/) are deleted.
    /// </summary>
    private const int CopyRules = 2;

    /// <summary>A Kit package's references to other Kits bring their Kit files only: no MSBuild logic, no analyzers.</summary>
    public const string ExcludedAssets = "build;buildTransitive;analyzers";

    public static MaterializedKitPackage Materialize(ResolvedKitPackage package, KitFeeds feeds) =>
        Materialize(package, feeds, KitPackageCache.Directory(package.Id, package.Version), ToolVersion);

    public static MaterializedKitPackage Materialize(ResolvedKitPackage package, KitFeeds feeds, string directory, string sdkVersion)
    {
        Directory.CreateDirectory(directory);
        // Two `up`s of the same package at once must not copy over each other.
        using var _ = FileLock.Acquire(Path.Combine(directory, ".capakit-package.lock"), TimeSpan.FromMinutes(1));
        var (leftOut, replacedLinks) = CopyKit(package, directory);
        var project = Path.Combine(directory, package.Id + ".kitproj");
        WriteIfChanged(project, ProjectXml(package, sdkVersion));
        WriteIfChanged(Path.Combine(directory, "nuget.config"), NuGetConfigXml(feeds, package.UnreadableSources));
        // MSBuild looks for these in every folder above the project: stop it at ours, so whatever sits above the
        // cache (a home folder repository, central package management) cannot change how the Kit builds.
        foreach (var name in new[] { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props" })
        {
            WriteIfChanged(Path.Combine(directory, name), "<Project />\n");
        }
        return new MaterializedKitPackage(project, leftOut, replacedLinks);
    }

    /// <summary>The tool's own version: the generated project builds with the SDK that matches this runtime's bundle format.</summary>
    public static string ToolVersion
    {
        get
        {
            var informational = typeof(KitPackageWorkspace).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
                ?? typeof(KitPackageWorkspace).Assembly.GetName().Version!.ToString(3);
            var plus = informational.IndexOf('+');
            return plus < 0 ? informational : informational[..plus];
        }
    }

    /// <summary>
    /// Copies the Kit files of <c>kit/</c> only when the package differs from the last copy (a re-run is free), removes
    /// files the previous package had and this one has not, and leaves everything else (node_modules, bin/, obj/) alone.
    /// The workload roots are writable by the Kit's sandboxes, so nothing there is followed (<see cref="LinkSafeTree"/>).
    /// </summary>
    private static (List<string> LeftOut, List<string> ReplacedLinks) CopyKit(ResolvedKitPackage package, string directory)
    {
        var markerPath = Path.Combine(directory, MarkerFile);
        var previous = ReadMarker(markerPath);
        if (previous?.ContentHash == package.ContentHash && previous.Rules == CopyRules)
        {
            return ([], []);
        }
        var all = Directory.EnumerateFiles(package.KitDirectory, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(package.KitDirectory, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToList();
        var files = all.Where(KitPackageFiles.IsKitFile).ToList();
        var replacedLinks = new List<string>();
        try
        {
            // Deletions first: a folder the previous package had may be where this one has a file.
            foreach (var gone in (previous?.Files ?? []).Except(files, StringComparer.Ordinal))
            {
                LinkSafeTree.DeleteFile(directory, gone);
            }
            // The extracted files carry the package's timestamps, which may be older than the last build here:
            // stamp them now so the Kit is rebuilt from the new content.
            var now = DateTime.UtcNow;
            foreach (var relative in files)
            {
                if (LinkSafeTree.WriteFile(directory, relative, Path.Combine(package.KitDirectory, relative), now) == LinkSafeWrite.ReplacedLink)
                {
                    replacedLinks.Add(Path.Combine(directory, relative));
                }
            }
        }
        catch (IOException e)
        {
            throw new CapaKitException(ExitCodes.Tool, $"CAPA0536: Kit package {package.Id} could not be copied to {directory}: {e.Message}");
        }
        File.WriteAllText(markerPath, JsonSerializer.Serialize(new PackageMarker(package.ContentHash, files, CopyRules), MarkerJson));
        return ([.. all.Except(files, StringComparer.Ordinal)], replacedLinks);
    }

    private static PackageMarker? ReadMarker(string path)
    {
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<PackageMarker>(File.ReadAllText(path), MarkerJson) : null;
        }
        catch (JsonException)
        {
            return null; // damaged: copy again
        }
    }

    private static readonly JsonSerializerOptions MarkerJson = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

    /// <param name="Rules">The <see cref="CopyRules"/> the copy was made under (0 in markers written before there were rules).</param>
    private sealed record PackageMarker(string ContentHash, IReadOnlyList<string> Files, int Rules = 0);

    internal static string ProjectXml(ResolvedKitPackage package, string sdkVersion)
    {
        var project = new XElement("Project", new XAttribute("Sdk", $"CapaKit.Sdk/{sdkVersion}"),
            new XComment($" Generated by dotnet capakit for the Kit package {package.Id} {package.Version.ToNormalizedString()}; rewritten when it changes. "),
            new XElement("PropertyGroup",
                // One secrets store per Kit package id, so secrets set for one version serve the next.
                new XElement("UserSecretsId", "capakit-package-" + package.Id.ToLowerInvariant())));
        if (package.Imports.Count > 0)
        {
            project.Add(new XElement("ItemGroup", package.Imports.Select(i =>
                new XElement("PackageReference", new XAttribute("Include", i.Id), new XAttribute("Version", i.Range.ToShortString()),
                    new XAttribute("ExcludeAssets", ExcludedAssets)))));
        }
        return project + "\n";
    }

    /// <summary>
    /// The feeds in effect where `up` ran, plus --source: the cache folder is outside that folder, so without
    /// this the Kit's SDK and imports would restore from different feeds than the package itself came from.
    /// </summary>
    internal static string NuGetConfigXml(KitFeeds feeds, IReadOnlyList<string>? unreadable = null)
    {
        var sources = new XElement("packageSources", new XElement("clear"));
        // A feed that could not be read just now would fail the Kit's restore (NU1301) although the package came
        // from another feed: leave it out.
        foreach (var source in feeds.Sources.Where(s => !(unreadable ?? []).Contains(s.Source)))
        {
            var add = new XElement("add", new XAttribute("key", source.Name), new XAttribute("value", source.Source));
            if (source.ProtocolVersion == 3)
            {
                add.Add(new XAttribute("protocolVersion", "3"));
            }
            if (source.AllowInsecureConnections)
            {
                // Only when the user's own config allowed this http feed: restore refuses http feeds otherwise.
                add.Add(new XAttribute("allowInsecureConnections", "true"));
            }
            sources.Add(add);
        }
        var configuration = new XElement("configuration",
            new XComment(" Generated by dotnet capakit: the feeds and package folder in effect when the Kit package was run. "),
            new XElement("config", new XElement("add", new XAttribute("key", "globalPackagesFolder"), new XAttribute("value", feeds.GlobalPackagesFolder))),
            sources);
        return new XDeclaration("1.0", "utf-8", null) + "\n" + configuration + "\n";
    }

    private static void WriteIfChanged(string path, string content)
    {
        // An unchanged project must keep its timestamp, or every run would rebuild the Kit.
        if (!File.Exists(path) || File.ReadAllText(path) != content)
        {
            File.WriteAllText(path, content);
        }
    }
}
