namespace CapaKit.Tool.Sandbox;

/// <summary>
/// A private per-run folder under the per-user runtime directory, for sockets and the relay script.
/// Short paths: a unix socket path must fit in 108 bytes (104 on macOS) wherever the Kit lives.
/// </summary>
public sealed class RuntimeFolder : IDisposable
{
    private RuntimeFolder(string path) => Path = path;

    public string Path { get; }

    public static string UserRoot()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        var root = !string.IsNullOrEmpty(xdg) && Directory.Exists(xdg)
            ? System.IO.Path.Combine(xdg, "capakit")
            : $"/tmp/capakit-{Environment.UserName}";
        if (!Directory.Exists(root))
        {
            Directory.CreateDirectory(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
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
