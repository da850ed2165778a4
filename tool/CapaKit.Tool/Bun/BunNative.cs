using System.Runtime.InteropServices;

namespace CapaKit.Tool.Bun;

/// <summary>The two libc calls whose exact semantics matter here: realpath (every symlink, also in parent folders) and access(X_OK).</summary>
internal static partial class BunNative
{
    private const int ExecuteOk = 1;

    /// <summary>The canonical absolute path, or the full path unchanged when it cannot be resolved.</summary>
    internal static string RealPath(string path)
    {
        var full = Path.GetFullPath(path);
        if (OperatingSystem.IsWindows())
        {
            return full;
        }
        return Sandbox.Linux.Native.RealPath(full) ?? full;
    }

    /// <summary>A regular file (after following links) that this user may execute.</summary>
    internal static bool IsExecutableFile(string path)
    {
        if (!File.Exists(path))
        {
            return false;
        }
        return OperatingSystem.IsWindows() || Access(path, ExecuteOk) == 0;
    }

    [LibraryImport("libc", EntryPoint = "access", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Access(string path, int mode);
}
