namespace CapaKit.Tool.Bun;

/// <summary>
/// Where one Bun version lives in the tool's cache:
/// <c>&lt;root&gt;/&lt;version&gt;/bin/bun</c> is the installed binary (its folder holds nothing else, because
/// the sandbox binds it), <c>.lock</c> serializes installers and <c>.staging</c> is npm's scratch prefix.
/// </summary>
internal sealed record BunCacheLayout(string Root, string Version)
{
    internal const string ExecutableName = "bun";

    internal string VersionDirectory => Path.Combine(Path.GetFullPath(Root), Version);
    internal string BinDirectory => Path.Combine(VersionDirectory, "bin");
    internal string Executable => Path.Combine(BinDirectory, ExecutableName);
    internal string LockFile => Path.Combine(VersionDirectory, ".lock");
    internal string StagingDirectory => Path.Combine(VersionDirectory, ".staging");
    internal string StagedBinDirectory => Path.Combine(StagingDirectory, "bin");
    internal string StagedExecutable => Path.Combine(StagedBinDirectory, ExecutableName);

    /// <summary>A unique name for a replaced <c>bin</c> folder, so removing it never races a concurrent reader of the new one.</summary>
    internal string NewTrashDirectory() => Path.Combine(VersionDirectory, $".trash-{Guid.NewGuid():N}");

    /// <summary>$XDG_CACHE_HOME/capakit/bun, else ~/.cache/capakit/bun (the XDG spec says to ignore a relative XDG_CACHE_HOME).</summary>
    internal static string DefaultRoot(IReadOnlyDictionary<string, string?> environment)
    {
        var xdg = environment.Get("XDG_CACHE_HOME");
        if (xdg is not null && Path.IsPathRooted(xdg))
        {
            return Path.Combine(xdg, "capakit", "bun");
        }
        var home = environment.Get("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return Path.Combine(home, ".cache", "capakit", "bun");
    }
}
