using System.Runtime.InteropServices;

namespace CapaKit.Tool.Sandbox;

/// <summary>A folder the runtime keeps sockets, state or secrets in must be a real folder (not a link), ours, and closed to others.</summary>
public static partial class PrivateFolderCheck
{
    private const int FileTypeMask = 0xF000;
    private const int DirectoryType = 0x4000;
    private const int GroupAndOthers = 0b000_111_111;

    /// <summary>Throws CAPA0503 unless <paramref name="folder"/> (not followed if a link) is a directory owned by this user with no group or other access.</summary>
    public static void Require(string folder)
    {
        if (!OperatingSystem.IsLinux())
        {
            // macOS: TMPDIR is already per user; still never use a link.
            if (new DirectoryInfo(folder).LinkTarget is not null)
            {
                throw Refused(folder, "it is a symbolic link");
            }
            return;
        }
        var status = SandboxWrittenFiles.LinkStatus(folder) ?? throw Refused(folder, "it could not be created");
        if ((status.Mode & FileTypeMask) != DirectoryType)
        {
            throw Refused(folder, "it is not a folder (a symbolic link or a file)");
        }
        var uid = GetEffectiveUserId();
        if (status.Uid != uid)
        {
            throw Refused(folder, $"it belongs to uid {status.Uid}, not to you (uid {uid})");
        }
        if ((status.Mode & GroupAndOthers) != 0)
        {
            throw Refused(folder, $"other users can use it (mode {Convert.ToString(status.Mode & 0xFFF, 8)})");
        }
    }

    private static CapaKitException Refused(string folder, string why) =>
        new(ExitCodes.Tool, $"CAPA0503: CapaKit will not keep its sockets and state in {folder}: {why}; remove it (or set XDG_RUNTIME_DIR to a private folder) and run again.");

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();
}
