using System.Runtime.InteropServices;

namespace CapaKit.Tool.Agents;

/// <summary>What lstat says of one path: the entry itself, never what a link points to.</summary>
internal readonly record struct HostFileStatus(bool IsLink, bool IsDirectory, UnixFileMode Mode, uint Owner);

/// <summary>The libc calls the MCP server's checks rely on: realpath (every symlink, also in parent folders), geteuid, and lstat through statx.</summary>
internal static partial class HostFiles
{
    /// <summary>
    /// <paramref name="path"/> (absolute) with every symlink resolved; for a path that does not exist, its deepest existing
    /// folder resolved and the rest appended (nothing there can be a link yet).
    /// </summary>
    public static string Canonical(string path) => Canonical(path, depth: 0);

    private static string Canonical(string path, int depth)
    {
        var full = Path.GetFullPath(path);
        var missing = new Stack<string>();
        var existing = full;
        // lstat, not File.Exists: a dangling link exists, and is resolved to where it points.
        while (Status(existing) is null && Path.GetDirectoryName(existing) is { } parent)
        {
            missing.Push(Path.GetFileName(existing));
            existing = parent;
        }
        var resolved = Sandbox.Linux.Native.RealPath(existing);
        if (resolved is null)
        {
            // A link to nothing (yet): where it would lead once its target is made.
            var target = new FileInfo(existing).ResolveLinkTarget(returnFinalTarget: true)?.FullName;
            resolved = target is null || depth > MaxLinkDepth ? existing : Canonical(target, depth + 1);
        }
        while (missing.Count > 0)
        {
            resolved = Path.Combine(resolved, missing.Pop());
        }
        return resolved;
    }

    /// <summary>As the kernel's own limit on links followed in one lookup.</summary>
    private const int MaxLinkDepth = 40;

    /// <summary>Whether <paramref name="path"/> (canonical) is <paramref name="folder"/> (canonical) or lies beneath it.</summary>
    public static bool IsUnder(string path, string folder) =>
        path == folder || path.StartsWith(folder.EndsWith('/') ? folder : folder + "/", StringComparison.Ordinal);

    /// <summary>The entry itself (a link is not followed); null when there is none.</summary>
    public static HostFileStatus? Status(string path)
    {
        if (OperatingSystem.IsLinux())
        {
            const int typeMask = 0xF000;
            try
            {
                return Sandbox.SandboxWrittenFiles.LinkStatus(path) is { } s
                    ? new HostFileStatus((s.Mode & typeMask) == 0xA000, (s.Mode & typeMask) == 0x4000, (UnixFileMode)(s.Mode & 0xFFF), s.Uid)
                    : null;
            }
            catch (IOException)
            {
                return null; // a file where a folder is named (ENOTDIR), a folder we may not search: nothing there for us
            }
        }
        // Elsewhere (macOS): the same without the owner, which .NET does not report.
        var info = new FileInfo(path);
        var isLink = info.LinkTarget is not null;
        if (!isLink && !info.Exists && !Directory.Exists(path))
        {
            return null;
        }
        return new HostFileStatus(isLink, !isLink && Directory.Exists(path), File.GetUnixFileMode(path), EffectiveUser);
    }

    /// <summary>This process's effective user id (who owns what it creates).</summary>
    public static uint EffectiveUser => GetEuid();

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEuid();
}
