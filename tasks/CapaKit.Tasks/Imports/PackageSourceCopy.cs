namespace CapaKit.Tasks.Imports;

/// <summary>
/// Copies a package Kit's workload sources into the build's own folder: a workload root is read-write (installs write
/// node_modules there) and the global packages folder is shared and must stay as NuGet extracted it. Only changed files
/// are written, and files the package no longer has are removed; anything else there (node_modules) is kept.
/// </summary>
public static class PackageSourceCopy
{
    private const string ListFile = ".capakit-package-files";

    /// <returns>The files written.</returns>
    public static IReadOnlyList<string> Sync(string packageKitFolder, string destination)
    {
        var source = Path.Combine(packageKitFolder, "workloads");
        var target = Path.Combine(destination, "workloads");
        var files = Directory.Exists(source)
            ? Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(source, f)).Order(StringComparer.Ordinal).ToList()
            : [];
        var written = new List<string>();
        foreach (var relative in files)
        {
            var from = Path.Combine(source, relative);
            var to = Path.Combine(target, relative);
            if (File.Exists(to) && SameContent(from, to))
            {
                continue;
            }
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(from, to, overwrite: true);
            written.Add(to);
        }

        var list = Path.Combine(destination, ListFile);
        var previous = File.Exists(list) ? File.ReadAllLines(list) : [];
        foreach (var gone in previous.Except(files, StringComparer.Ordinal))
        {
            var path = Path.Combine(target, gone);
            if (File.Exists(path))
            {
                File.Delete(path);
            }
        }
        if (!previous.SequenceEqual(files, StringComparer.Ordinal))
        {
            Directory.CreateDirectory(destination);
            File.WriteAllLines(list, files);
        }
        return written;
    }

    private static bool SameContent(string a, string b)
    {
        var infoA = new FileInfo(a);
        var infoB = new FileInfo(b);
        return infoA.Length == infoB.Length && File.ReadAllBytes(a).AsSpan().SequenceEqual(File.ReadAllBytes(b));
    }
}
