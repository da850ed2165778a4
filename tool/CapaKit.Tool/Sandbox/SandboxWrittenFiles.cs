using System.Runtime.InteropServices;
using System.Text;

namespace CapaKit.Tool.Sandbox;

/// <summary>
/// Reads and creates things in folders a sandbox can write (a workload root, its socket folder). A workload can
/// replace any name there with a symlink (to <c>~/.bashrc</c>, <c>/dev/zero</c>), a FIFO or a huge file between
/// two runs, so nothing here follows a link in the last component, opens anything but a regular file, or reads
/// past a size cap. The folder itself must be one the sandbox cannot replace (the runtime made it, or it is a
/// bind-mount point inside the sandbox).
/// </summary>
public static partial class SandboxWrittenFiles
{
    /// <summary>What the runtime reads of a workload's dependency files (package.json, bun.lock, .npmrc, bunfig.toml).</summary>
    public const long DefaultMaxBytes = 16L * 1024 * 1024;

    /// <summary>
    /// The bytes of <paramref name="directory"/>/<paramref name="name"/>, or null when there is no such entry.
    /// Throws <see cref="CapaKitException"/> when the entry is a symlink, not a regular file, or larger than <paramref name="maxBytes"/>.
    /// </summary>
    public static byte[]? TryReadAll(string directory, string name, long maxBytes = DefaultMaxBytes)
    {
        if (name.Contains('/') || name is "." or "..")
        {
            throw new ArgumentException($"'{name}' is not a single file name.", nameof(name));
        }
        var path = Path.Combine(directory, name);
        if (!OperatingSystem.IsLinux())
        {
            return TryReadAllPortable(path, maxBytes);
        }
        var dir = Open(directory, OpenFlags.Directory);
        if (dir < 0)
        {
            throw Refused(path, $"its folder cannot be opened ({Marshal.GetLastPInvokeErrorMessage()})");
        }
        try
        {
            var fd = OpenAt(dir, name, OpenFlags.ReadNoFollow);
            if (fd < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                return errno switch
                {
                    Enoent => null,
                    Eloop => throw Refused(path, "it is a symbolic link"),
                    _ => throw Refused(path, Marshal.GetPInvokeErrorMessage(errno)),
                };
            }
            using var handle = new Microsoft.Win32.SafeHandles.SafeFileHandle((IntPtr)fd, ownsHandle: true);
            var status = Stat(fd);
            if ((status.Mode & FileTypeMask) != RegularFile)
            {
                throw Refused(path, "it is not a regular file");
            }
            if ((long)status.Size > maxBytes)
            {
                throw Refused(path, $"it is larger than {maxBytes / 1024 / 1024} MiB");
            }
            // The size may change while reading: read at most one byte past the cap to tell.
            var buffer = new byte[(int)Math.Min(maxBytes + 1, (long)status.Size + 4096)];
            var total = 0;
            while (total < buffer.Length)
            {
                var read = RandomAccess.Read(handle, buffer.AsSpan(total), total);
                if (read == 0)
                {
                    break;
                }
                total += read;
                if (total == buffer.Length && total <= maxBytes)
                {
                    Array.Resize(ref buffer, (int)Math.Min(maxBytes + 1, buffer.Length * 2L));
                }
            }
            if (total > maxBytes)
            {
                throw Refused(path, $"it is larger than {maxBytes / 1024 / 1024} MiB");
            }
            return buffer[..total];
        }
        finally
        {
            Close(dir);
        }
    }

    /// <summary>The file as UTF-8 text, or null when absent; same rules as <see cref="TryReadAll"/>.</summary>
    public static string? TryReadText(string directory, string name, long maxBytes = DefaultMaxBytes) =>
        TryReadAll(directory, name, maxBytes) is { } bytes ? Encoding.UTF8.GetString(bytes) : null;

    /// <summary>
    /// Creates <paramref name="relative"/> (e.g. <c>.capakit/home</c>) under <paramref name="root"/> one component at a
    /// time, never following a symlink: a link planted at any step is refused instead of creating folders where it points.
    /// </summary>
    public static void CreateDirectoryBeneath(string root, string relative)
    {
        var parts = relative.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Any(p => p is "." or ".."))
        {
            throw new ArgumentException($"'{relative}' must stay beneath the root.", nameof(relative));
        }
        if (!OperatingSystem.IsLinux())
        {
            var current = root;
            foreach (var part in parts)
            {
                current = Path.Combine(current, part);
                if (new FileInfo(current).LinkTarget is not null)
                {
                    throw Refused(current, "it is a symbolic link");
                }
                Directory.CreateDirectory(current);
            }
            return;
        }
        var fd = Open(root, OpenFlags.Directory);
        if (fd < 0)
        {
            throw Refused(root, $"it cannot be opened ({Marshal.GetLastPInvokeErrorMessage()})");
        }
        try
        {
            var path = root;
            foreach (var part in parts)
            {
                path = Path.Combine(path, part);
                if (MkdirAt(fd, part, 0b111_101_101) < 0 && Marshal.GetLastPInvokeError() != Eexist)
                {
                    throw Refused(path, $"it cannot be created ({Marshal.GetLastPInvokeErrorMessage()})");
                }
                var next = OpenAt(fd, part, OpenFlags.DirectoryNoFollow);
                if (next < 0)
                {
                    throw Refused(path, Marshal.GetLastPInvokeError() is Eloop or Enotdir ? "it is a symbolic link or not a folder" : Marshal.GetLastPInvokeErrorMessage());
                }
                Close(fd);
                fd = next;
            }
        }
        finally
        {
            Close(fd);
        }
    }

    private static CapaKitException Refused(string path, string why) =>
        new(ExitCodes.Tool, $"CAPA0500: CapaKit will not use {path}: {why}, and a sandbox can write that folder; remove it and run again.");

    /// <summary>macOS: no O_NOFOLLOW flag values here (they differ per platform); a check-then-read that a racing workload could beat, but never a read of a link or a huge file.</summary>
    private static byte[]? TryReadAllPortable(string path, long maxBytes)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is not null)
        {
            throw Refused(path, "it is a symbolic link");
        }
        if (!info.Exists)
        {
            return Directory.Exists(path) ? throw Refused(path, "it is not a regular file") : null;
        }
        if (info.Length > maxBytes)
        {
            throw Refused(path, $"it is larger than {maxBytes / 1024 / 1024} MiB");
        }
        return File.ReadAllBytes(path);
    }

    private const int Enoent = 2;
    private const int Eexist = 17;
    private const int Enotdir = 20;
    private const int Eloop = 40;
    private const int FileTypeMask = 0xF000;
    private const int RegularFile = 0x8000;
    private const int AtFdCwd = -100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxBasicStats = 0x7ff;

    /// <summary>open(2) flags; O_DIRECTORY and O_NOFOLLOW differ between x86-64 and arm64.</summary>
    private static class OpenFlags
    {
        private const int ReadOnly = 0;
        private const int NonBlock = 0x800; // a FIFO must not hang the runtime
        private const int NoCtty = 0x100;
        private const int CloseOnExec = 0x80000;
        private static readonly bool Arm = RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm;
        private static readonly int DirectoryFlag = Arm ? 0x4000 : 0x10000;
        private static readonly int NoFollow = Arm ? 0x8000 : 0x20000;

        public static int Directory => ReadOnly | DirectoryFlag | CloseOnExec;
        public static int DirectoryNoFollow => Directory | NoFollow;
        public static int ReadNoFollow => ReadOnly | NoFollow | NonBlock | NoCtty | CloseOnExec;
    }

    /// <summary>statx(2) has one layout on every Linux architecture, unlike struct stat.</summary>
    [StructLayout(LayoutKind.Sequential, Size = 256)]
    internal struct StatxBuffer
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

    internal static StatxBuffer Stat(int fd)
    {
        if (Statx(fd, "", AtEmptyPath, StatxBasicStats, out var buffer) < 0)
        {
            throw new IOException($"statx failed: {Marshal.GetLastPInvokeErrorMessage()}");
        }
        return buffer;
    }

    /// <summary>lstat through statx: the entry itself, never what a link points to; null when absent.</summary>
    internal static StatxBuffer? LinkStatus(string path)
    {
        const int atSymlinkNoFollow = 0x100;
        if (Statx(AtFdCwd, path, atSymlinkNoFollow, StatxBasicStats, out var buffer) < 0)
        {
            return Marshal.GetLastPInvokeError() == Enoent ? null : throw new IOException($"statx {path} failed: {Marshal.GetLastPInvokeErrorMessage()}");
        }
        return buffer;
    }

    private static int Open(string path, int flags) => OpenAt(AtFdCwd, path, flags);

    [LibraryImport("libc", EntryPoint = "openat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenAt(int dirFd, string path, int flags);

    [LibraryImport("libc", EntryPoint = "mkdirat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MkdirAt(int dirFd, string path, int mode);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirFd, string path, int flags, uint mask, out StatxBuffer buffer);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
