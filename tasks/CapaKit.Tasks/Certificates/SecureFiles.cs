using System.Text;

namespace CapaKit.Tasks.Certificates;

/// <summary>File writes for key material: private modes from creation, atomic replacement.</summary>
internal static class SecureFiles
{
    public const UnixFileMode PrivateDirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    public const UnixFileMode PrivateFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    public const UnixFileMode PublicFileMode = PrivateFileMode | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private const string TemporaryPrefix = ".capakit-";
    private const string TemporarySuffix = ".tmp";

    /// <summary>Creates the directory as 0700 (or tightens an existing one), so keys in it are never reachable by others.</summary>
    public static void EnsurePrivateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }
        if (!Directory.Exists(path))
        {
            Directory.CreateDirectory(path, PrivateDirectoryMode);
        }
        // The umask can only remove bits, but an existing folder may have been created looser.
        if (File.GetUnixFileMode(path) != PrivateDirectoryMode)
        {
            File.SetUnixFileMode(path, PrivateDirectoryMode);
        }
    }

    /// <summary>Tightens a key file that was kept from an earlier build but has since been loosened.</summary>
    public static void EnsurePrivateFile(string path)
    {
        if (!OperatingSystem.IsWindows() && File.GetUnixFileMode(path) != PrivateFileMode)
        {
            File.SetUnixFileMode(path, PrivateFileMode);
        }
    }

    /// <summary>
    /// Writes to a temporary file in the same folder, created with <paramref name="mode"/> (never world-readable,
    /// not even briefly), flushes it to disk, then renames it over the target: a crash leaves the old file or the new one, never half of either.
    /// </summary>
    public static void WriteAtomically(string path, string content, UnixFileMode mode)
    {
        var directory = Path.GetDirectoryName(path) ?? throw new ArgumentException($"{path} has no parent folder.", nameof(path));
        var temporary = Path.Combine(directory, $"{TemporaryPrefix}{Path.GetFileName(path)}.{Guid.NewGuid():N}{TemporarySuffix}");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = mode;
        }
        try
        {
            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(Encoding.ASCII.GetBytes(content));
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>Removes temporary files a crashed earlier run left behind (they may hold a private key).</summary>
    public static void RemoveTemporaries(string directory)
    {
        foreach (var file in Directory.EnumerateFiles(directory, $"{TemporaryPrefix}*{TemporarySuffix}"))
        {
            File.Delete(file);
        }
    }
}
