using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace CapaKit.Bundle.Packages;

/// <summary>What <see cref="LinkSafeTree.WriteFile"/> did.</summary>
public enum LinkSafeWrite
{
    /// <summary>The file was there with the same bytes; nothing was written.</summary>
    Unchanged,
    /// <summary>The file was created or its content replaced.</summary>
    Written,
    /// <summary>A symlink (or a FIFO, a socket, a device) stood at the path or at one of its folders: it was removed, not followed, and a fresh file written.</summary>
    ReplacedLink,
}

/// <summary>
/// Writes and deletes a Kit package's files beneath a folder a sandbox could have written (a package Kit's workload
/// roots). A workload can replace any file or folder there with a symlink to a host file (<c>~/.bashrc</c>) between two
/// runs; copying a new package version over it must not write, read or delete through that link. Below
/// <c>root</c> nothing is followed: a link is removed and a fresh file or folder takes its place. <c>root</c> itself
/// must be a folder no sandbox can replace (the runtime or the build made it).
/// </summary>
public static partial class LinkSafeTree
{
    /// <summary>
    /// Writes <paramref name="sourceFile"/>'s bytes to <paramref name="root"/>/<paramref name="relativePath"/> (a new file,
    /// renamed into place). With <paramref name="skipWhenSame"/>, a regular file already holding those bytes is left alone.
    /// Throws <see cref="IOException"/> when a non-empty folder stands where the file goes.
    /// </summary>
    public static LinkSafeWrite WriteFile(string root, string relativePath, string sourceFile, DateTime? lastWriteUtc = null, bool skipWhenSame = false)
    {
        var parts = Split(relativePath);
        Directory.CreateDirectory(root);
        var content = File.ReadAllBytes(sourceFile);
        // Never hand out more than the package had: no set-id bits, nothing group- or world-writable.
        var mode = OperatingSystem.IsWindows() ? 0 : (int)File.GetUnixFileMode(sourceFile) & 0b111_101_101;
        return OperatingSystem.IsLinux()
            ? WriteLinux(root, parts, content, mode, lastWriteUtc, skipWhenSame)
            : WritePortable(root, parts, content, lastWriteUtc, skipWhenSame);
    }

    /// <summary>Deletes <paramref name="root"/>/<paramref name="relativePath"/> when it is there below real folders; a link there is deleted itself. False when there was nothing to delete.</summary>
    public static bool DeleteFile(string root, string relativePath)
    {
        var parts = Split(relativePath);
        return OperatingSystem.IsLinux() ? DeleteLinux(root, parts) : DeletePortable(root, parts);
    }

    private static string[] Split(string relativePath)
    {
        var parts = relativePath.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0 || parts.Any(p => p is "." or ".."))
        {
            throw new ArgumentException($"'{relativePath}' is not a path beneath the root.", nameof(relativePath));
        }
        return parts;
    }

    private static LinkSafeWrite WriteLinux(string root, string[] parts, byte[] content, int mode, DateTime? lastWriteUtc, bool skipWhenSame)
    {
        var replaced = false;
        var dir = OpenAt(AtFdCwd, root, Flags.Directory);
        if (dir < 0)
        {
            throw Failed(root, "cannot be opened");
        }
        try
        {
            var path = root;
            foreach (var part in parts[..^1])
            {
                path = Path.Combine(path, part);
                var next = OpenFolderBeneath(dir, part, path, ref replaced);
                Close(dir);
                dir = next;
            }
            var name = parts[^1];
            var target = Path.Combine(path, name);
            if (StatAt(dir, name) is { } existing)
            {
                var type = existing.Mode & FileTypeMask;
                if (type == DirectoryType)
                {
                    // An empty folder (a package that turned a folder into a file) can go; anything in it is not ours to delete.
                    if (UnlinkAt(dir, name, AtRemoveDir) < 0)
                    {
                        throw new IOException($"{target} is a folder holding files, where the Kit package has a file; remove that folder and run again.");
                    }
                }
                else if (type != RegularFile)
                {
                    replaced = true;
                }
                else if (skipWhenSame && HasContent(dir, name, content))
                {
                    return LinkSafeWrite.Unchanged;
                }
            }
            WriteAndRename(dir, name, target, content, mode, lastWriteUtc);
            return replaced ? LinkSafeWrite.ReplacedLink : LinkSafeWrite.Written;
        }
        finally
        {
            Close(dir);
        }
    }

    /// <summary>Opens (creating it when missing) the folder <paramref name="name"/> in <paramref name="dir"/>, removing a link or a file that stands there.</summary>
    private static int OpenFolderBeneath(int dir, string name, string path, ref bool replaced)
    {
        // A few rounds: a racing workload may swap the entry again between our calls; each round removes what it finds.
        for (var round = 0; round < 4; round++)
        {
            var fd = OpenAt(dir, name, Flags.DirectoryNoFollow);
            if (fd >= 0)
            {
                return fd;
            }
            var errno = Marshal.GetLastPInvokeError();
            if (errno == Enoent)
            {
                if (MkdirAt(dir, name, 0b111_101_101) < 0 && Marshal.GetLastPInvokeError() != Eexist)
                {
                    throw Failed(path, "cannot be created");
                }
                continue;
            }
            if (errno is not (Eloop or Enotdir))
            {
                throw Failed(path, "cannot be opened");
            }
            // A link (or a file, where an older version of the package had one) stands where a folder belongs.
            if (StatAt(dir, name) is { } existing && (existing.Mode & FileTypeMask) != RegularFile)
            {
                replaced = true;
            }
            if (UnlinkAt(dir, name, 0) < 0 && Marshal.GetLastPInvokeError() != Enoent)
            {
                throw Failed(path, "cannot be removed");
            }
        }
        throw Failed(path, "keeps changing while it is written");
    }

    /// <summary>A new file under a temporary name, then renamed over the entry: rename replaces a link itself and never follows it.</summary>
    private static void WriteAndRename(int dir, string name, string target, byte[] content, int mode, DateTime? lastWriteUtc)
    {
        var temp = $".capakit-{Guid.NewGuid():N}.tmp";
        var fd = OpenAt(dir, temp, Flags.CreateNew, mode);
        if (fd < 0)
        {
            throw Failed(target, "cannot be written");
        }
        try
        {
            using (var handle = new SafeFileHandle(fd, ownsHandle: true))
            {
                RandomAccess.Write(handle, content, 0);
                if (lastWriteUtc is { } time)
                {
                    File.SetLastWriteTimeUtc(handle, time);
                }
            }
            if (RenameAt(dir, temp, dir, name) < 0)
            {
                throw Failed(target, "cannot be replaced");
            }
        }
        catch
        {
            UnlinkAt(dir, temp, 0);
            throw;
        }
    }

    /// <summary>Whether the regular file <paramref name="name"/> holds exactly <paramref name="content"/> (never opened through a link, never blocking on a FIFO).</summary>
    private static bool HasContent(int dir, string name, byte[] content)
    {
        var fd = OpenAt(dir, name, Flags.ReadNoFollow);
        if (fd < 0)
        {
            return false;
        }
        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        var status = Stat(fd);
        if ((status.Mode & FileTypeMask) != RegularFile || (long)status.Size != content.Length)
        {
            return false;
        }
        var buffer = new byte[content.Length];
        var total = 0;
        while (total < buffer.Length)
        {
            var read = RandomAccess.Read(handle, buffer.AsSpan(total), total);
            if (read == 0)
            {
                return false;
            }
            total += read;
        }
        return buffer.AsSpan().SequenceEqual(content);
    }

    private static bool DeleteLinux(string root, string[] parts)
    {
        var dir = OpenAt(AtFdCwd, root, Flags.Directory);
        if (dir < 0)
        {
            return false;
        }
        try
        {
            foreach (var part in parts[..^1])
            {
                // A link or a missing folder on the way: the file is not in this tree, and what the link points to is not ours.
                var next = OpenAt(dir, part, Flags.DirectoryNoFollow);
                if (next < 0)
                {
                    return false;
                }
                Close(dir);
                dir = next;
            }
            if (StatAt(dir, parts[^1]) is not { } existing || (existing.Mode & FileTypeMask) == DirectoryType)
            {
                return false;
            }
            return UnlinkAt(dir, parts[^1], 0) == 0;
        }
        finally
        {
            Close(dir);
        }
    }

    /// <summary>
    /// Elsewhere (macOS): the same rules by path. A workload racing the copy could still swap a folder between the check
    /// and the write; the Linux path has no such window.
    /// </summary>
    private static LinkSafeWrite WritePortable(string root, string[] parts, byte[] content, DateTime? lastWriteUtc, bool skipWhenSame)
    {
        var replaced = false;
        var path = root;
        foreach (var part in parts[..^1])
        {
            path = Path.Combine(path, part);
            var info = new FileInfo(path);
            if (info.LinkTarget is not null || info.Exists)
            {
                replaced |= info.LinkTarget is not null;
                File.Delete(path);
            }
            Directory.CreateDirectory(path);
        }
        var target = Path.Combine(path, parts[^1]);
        var file = new FileInfo(target);
        if (file.LinkTarget is not null)
        {
            replaced = true;
            File.Delete(target);
        }
        else if (Directory.Exists(target))
        {
            try
            {
                Directory.Delete(target);
            }
            catch (IOException)
            {
                throw new IOException($"{target} is a folder holding files, where the Kit package has a file; remove that folder and run again.");
            }
        }
        else if (skipWhenSame && file.Exists && file.Length == content.Length && File.ReadAllBytes(target).AsSpan().SequenceEqual(content))
        {
            return LinkSafeWrite.Unchanged;
        }
        var temp = Path.Combine(path, $".capakit-{Guid.NewGuid():N}.tmp");
        using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
        {
            stream.Write(content);
        }
        if (lastWriteUtc is { } time)
        {
            File.SetLastWriteTimeUtc(temp, time);
        }
        File.Move(temp, target, overwrite: true);
        return replaced ? LinkSafeWrite.ReplacedLink : LinkSafeWrite.Written;
    }

    private static bool DeletePortable(string root, string[] parts)
    {
        var path = root;
        foreach (var part in parts[..^1])
        {
            path = Path.Combine(path, part);
            if (new DirectoryInfo(path) is not { Exists: true, LinkTarget: null })
            {
                return false;
            }
        }
        var target = Path.Combine(path, parts[^1]);
        var file = new FileInfo(target);
        if (file.LinkTarget is null && !file.Exists)
        {
            return false;
        }
        File.Delete(target);
        return true;
    }

    private static IOException Failed(string path, string why) =>
        new($"{path} {why} ({Marshal.GetLastPInvokeErrorMessage()}).");

    private const int AtFdCwd = -100;
    private const int AtRemoveDir = 0x200;
    private const int AtSymlinkNoFollow = 0x100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxBasicStats = 0x7ff;
    private const int Enoent = 2;
    private const int Eexist = 17;
    private const int Enotdir = 20;
    private const int Eloop = 40;
    private const int FileTypeMask = 0xF000;
    private const int RegularFile = 0x8000;
    private const int DirectoryType = 0x4000;

    /// <summary>open(2) flags on Linux; O_DIRECTORY and O_NOFOLLOW differ between x86-64 and arm64.</summary>
    private static class Flags
    {
        private const int ReadOnly = 0;
        private const int WriteOnly = 1;
        private const int Create = 0x40;
        private const int Exclusive = 0x80;
        private const int NonBlock = 0x800; // a FIFO planted in place of a file must not hang the copy
        private const int CloseOnExec = 0x80000;
        private static readonly bool Arm = RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm;
        private static readonly int DirectoryFlag = Arm ? 0x4000 : 0x10000;
        private static readonly int NoFollow = Arm ? 0x8000 : 0x20000;

        public static int Directory => ReadOnly | DirectoryFlag | CloseOnExec;
        public static int DirectoryNoFollow => Directory | NoFollow;
        public static int ReadNoFollow => ReadOnly | NoFollow | NonBlock | CloseOnExec;
        public static int CreateNew => WriteOnly | Create | Exclusive | NoFollow | CloseOnExec;
    }

    /// <summary>statx(2) has one layout on every Linux architecture, unlike struct stat.</summary>
    [StructLayout(LayoutKind.Sequential, Size = 256)]
    private struct StatxBuffer
    {
        public uint Mask;
        public uint BlockSize;
        public ulong Attributes;
        public uint Links;
        public uint Uid;
        public uint Gid;
        public ushort Mode;
        public ushort Padding;
        public ulong Inode;
        public ulong Size;
    }

    /// <summary>The entry itself (never what a link points to); null when there is none.</summary>
    private static StatxBuffer? StatAt(int dir, string name) =>
        Statx(dir, name, AtSymlinkNoFollow, StatxBasicStats, out var buffer) == 0 ? buffer : null;

    private static StatxBuffer Stat(int fd) =>
        Statx(fd, "", AtEmptyPath, StatxBasicStats, out var buffer) == 0 ? buffer : throw new IOException($"statx failed ({Marshal.GetLastPInvokeErrorMessage()}).");

    // openat is variadic; on Linux x86-64 and arm64 a fourth int argument lands where va_arg reads the mode.
    [LibraryImport("libc", EntryPoint = "openat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenAt(int dirFd, string path, int flags, int mode = 0);

    [LibraryImport("libc", EntryPoint = "mkdirat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MkdirAt(int dirFd, string path, int mode);

    [LibraryImport("libc", EntryPoint = "unlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int UnlinkAt(int dirFd, string path, int flags);

    [LibraryImport("libc", EntryPoint = "renameat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int RenameAt(int oldDirFd, string oldPath, int newDirFd, string newPath);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirFd, string path, int flags, uint mask, out StatxBuffer buffer);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
