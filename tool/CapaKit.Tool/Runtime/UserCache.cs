namespace CapaKit.Tool.Runtime;

/// <summary>
/// The runtime's per-user cache, <c>$XDG_CACHE_HOME/capakit</c> (else <c>~/.cache/capakit</c>): what the runtime keeps
/// between runs and never inside a folder a sandbox can write.
/// </summary>
public static class UserCache
{
    public static string Root
    {
        get
        {
            // The XDG spec says to ignore a relative XDG_CACHE_HOME.
            var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            var cache = xdg is { Length: > 0 } && Path.IsPathRooted(xdg)
                ? xdg
                : Path.Combine(Environment.GetEnvironmentVariable("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
            return Path.Combine(cache, "capakit");
        }
    }

    /// <summary>A private folder under the cache (0700 when created).</summary>
    public static string Folder(params string[] parts)
    {
        var path = Path.Combine([Root, .. parts]);
        Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
