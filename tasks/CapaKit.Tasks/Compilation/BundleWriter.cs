using System.Text;

namespace CapaKit.Tasks.Compilation;

/// <summary>
/// Writes bundle files only when their content changes, so an unchanged file keeps its timestamp and
/// whatever depends on it (the runtime's staleness check, incremental builds) sees no change.
/// </summary>
public sealed class BundleWriter(string bundleDirectory)
{
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);
    private readonly List<string> _written = [];
    private readonly List<string> _files = [];

    public string Directory { get; } = Path.GetFullPath(bundleDirectory);

    /// <summary>Absolute paths of the files whose content changed in this run.</summary>
    public IReadOnlyList<string> Written => _written;

    /// <summary>Absolute paths of every file this run produced, changed or not.</summary>
    public IReadOnlyList<string> Files => _files;

    public void WriteText(string relativePath, string content) => WriteBytes(relativePath, Utf8NoBom.GetBytes(content));

    /// <summary>Copies a source file (a skill's SKILL.md) into the bundle byte for byte.</summary>
    public void CopyFile(string sourceFile, string relativePath) => WriteBytes(relativePath, File.ReadAllBytes(sourceFile));

    public void WriteBytes(string relativePath, byte[] bytes)
    {
        var path = Path.GetFullPath(Path.Combine(Directory, relativePath));
        _files.Add(path);
        if (File.Exists(path) && File.ReadAllBytes(path).AsSpan().SequenceEqual(bytes))
        {
            return;
        }
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // Write beside and rename so a reader never sees half a file.
        var temp = path + ".tmp";
        File.WriteAllBytes(temp, bytes);
        File.Move(temp, path, overwrite: true);
        _written.Add(path);
    }

    /// <summary>Adds files written by someone else (the certificate store) to the run's list.</summary>
    public void Track(IEnumerable<string> files, IEnumerable<string> written)
    {
        _files.AddRange(files);
        _written.AddRange(written);
    }

    /// <summary>Deletes files under <paramref name="relativeFolder"/> that this run did not produce (a removed workload or phase).</summary>
    public IReadOnlyList<string> DeleteStale(string relativeFolder)
    {
        var folder = Path.Combine(Directory, relativeFolder);
        if (!System.IO.Directory.Exists(folder))
        {
            return [];
        }
        var keep = new HashSet<string>(_files, StringComparer.Ordinal);
        var deleted = new List<string>();
        // Recursive because skills live one folder down (skills/<name>/SKILL.md).
        foreach (var file in System.IO.Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).ToList())
        {
            if (!keep.Contains(file))
            {
                File.Delete(file);
                deleted.Add(file);
            }
        }
        foreach (var sub in System.IO.Directory.EnumerateDirectories(folder, "*", SearchOption.AllDirectories).OrderByDescending(d => d.Length).ToList())
        {
            if (!System.IO.Directory.EnumerateFileSystemEntries(sub).Any())
            {
                System.IO.Directory.Delete(sub);
            }
        }
        return deleted;
    }
}
