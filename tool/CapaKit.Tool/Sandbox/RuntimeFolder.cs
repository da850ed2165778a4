namespace CapaKit.Tool.Sandbox;

/// <summary>
/// A private per-run folder under the per-user runtime directory, for sockets and the relay script.
/// Short paths: a unix socket path must fit in 108 bytes (104 on macOS) wherever the Kit lives.
/// </summary>
public sealed class RuntimeFolder : IDisposable
{
    private RuntimeFolder(string path) => Path = path;

    public string Path { get; }

    /// <summary>
    /// <c>$XDG_RUNTIME_DIR/capakit</c>, else <c>$TMPDIR/capakit-&lt;user&gt;</c> (<c>/tmp</c> when TMPDIR is unset). In a shared
    /// temp folder anyone can create that name first, as a link or a folder they own, and then read or replace every
    /// socket and state file of ours: the folder is used only when it is a real folder, ours, and closed to others.
    /// </summary>
    public static string UserRoot()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        var root = !string.IsNullOrEmpty(xdg) && System.IO.Path.IsPathRooted(xdg) && Directory.Exists(xdg)
            ? System.IO.Path.Combine(xdg, "capakit")
            : System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"capakit-{Environment.UserName}");
        if (!Directory.Exists(root) && new FileInfo(root).LinkTarget is null)
        {
            try
            {
                Directory.CreateDirectory(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
            catch (IOException)
            {
                // Someone made it between the check and the create: the checks below judge what is there.
            }
        }
        PrivateFolderCheck.Require(root);
        return root;
    }

    public static RuntimeFolder Create()
    {
        var path = System.IO.Path.Combine(UserRoot(), "r" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return new RuntimeFolder(path);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A socket still held by a dying child; the next run's folder has another name.
        }
    }
}
