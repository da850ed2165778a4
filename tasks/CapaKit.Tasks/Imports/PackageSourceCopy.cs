using CapaKit.Bundle.Packages;

namespace CapaKit.Tasks.Imports;

/// <summary>What one <see cref="PackageSourceCopy.Sync"/> did.</summary>
/// <param name="Written">The files written (new or changed).</param>
/// <param name="LeftOut">Files under the package's <c>kit/workloads/</c> that are not Kit files (<see cref="KitPackageFiles"/>), relative to <c>kit/</c>.</param>
/// <param name="ReplacedLinks">Paths in the copy where a symlink stood (a workload can plant one) and was replaced, not followed.</param>
public sealed record PackageSourceCopyResult(IReadOnlyList<string> Written, IReadOnlyList<string> LeftOut, IReadOnlyList<string> ReplacedLinks);

/// <summary>
/// Copies a package Kit's workload sources into the build's own folder: a workload root is read-write (installs write
/// node_modules there) and the global packages folder is shared and must stay as NuGet extracted it. Only Kit files are
/// copied (<see cref="KitPackageFiles"/>), only changed files are written, and files the package no longer has are
/// removed; anything else there (node_modules) is kept. The copy's workload roots are writable by the Kit's sandboxes,
/// so no link there is followed (<see cref="LinkSafeTree"/>).
/// </summary>
public static class PackageSourceCopy
{
    private const string ListFile = ".capakit-package-files";
    private const string WorkloadsFolder = "workloads";

    public static PackageSourceCopyResult Sync(string packageKitFolder, string destination)
    {
        var source = Path.Combine(packageKitFolder, WorkloadsFolder);
        var target = Path.Combine(destination, WorkloadsFolder);
        var all = Directory.Exists(source)
            ? Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(source, f).Replace('\\', '/')).Order(StringComparer.Ordinal).ToList()
            : [];
        var files = all.Where(f => KitPackageFiles.IsKitFile($"{WorkloadsFolder}/{f}")).ToList();

        // Deletions first: a folder the previous package had may be where this one has a file.
        var list = Path.Combine(destination, ListFile);
        var previous = File.Exists(list) ? File.ReadAllLines(list) : [];
        foreach (var gone in previous.Except(files, StringComparer.Ordinal))
        {
            LinkSafeTree.DeleteFile(target, gone);
        }

        var written = new List<string>();
        var replacedLinks = new List<string>();
        Directory.CreateDirectory(target);
        foreach (var relative in files)
        {
            var outcome = LinkSafeTree.WriteFile(target, relative, Path.Combine(source, relative), skipWhenSame: true);
            var path = Path.Combine(target, relative);
            if (outcome != LinkSafeWrite.Unchanged)
            {
                written.Add(path);
            }
            if (outcome == LinkSafeWrite.ReplacedLink)
            {
                replacedLinks.Add(path);
            }
        }

        if (!previous.SequenceEqual(files, StringComparer.Ordinal))
        {
            File.WriteAllLines(list, files);
        }
        return new PackageSourceCopyResult(written, [.. all.Except(files, StringComparer.Ordinal).Select(f => $"{WorkloadsFolder}/{f}")], replacedLinks);
    }
}
