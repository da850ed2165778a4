namespace CapaKit.Tool.Bun;

/// <summary>
/// Finds the Bun to run workloads with: the one <c>CAPAKIT_BUN</c> names (an explicit choice, so a bad one is an error),
/// else the first working <c>bun</c> on PATH, else the pinned version in the tool's cache. Null means none: call
/// <see cref="BunProvisioner.EnsureAsync"/>.
/// </summary>
public static class BunLocator
{
    public const string OverrideVariable = "CAPAKIT_BUN";

    /// <param name="environment">The variables to read (CAPAKIT_BUN, PATH, XDG_CACHE_HOME, HOME); the process environment when null.</param>
    /// <param name="cacheRoot">The provisioner's cache; <see cref="BunProvisioner.DefaultCacheRoot"/> when null.</param>
    public static BunInstallation? Find(IReadOnlyDictionary<string, string?>? environment = null, string? cacheRoot = null)
    {
        var env = environment ?? BunEnvironment.Current();
        if (env.Get(OverrideVariable) is { } chosen)
        {
            return FromOverride(chosen);
        }
        return FromSearchPath(env.Get("PATH"))
            ?? FromCache(new BunCacheLayout(cacheRoot ?? BunCacheLayout.DefaultRoot(env), BunProvisioner.PinnedVersion));
    }

    private static BunInstallation FromOverride(string chosen)
    {
        var path = Path.GetFullPath(chosen);
        if (!File.Exists(path))
        {
            throw new CapaKitException(ExitCodes.MissingPrerequisite,
                $"{OverrideVariable} is set to '{chosen}', which does not exist; point it at a Bun executable or unset it.");
        }
        if (!BunNative.IsExecutableFile(path))
        {
            throw new CapaKitException(ExitCodes.MissingPrerequisite,
                $"{OverrideVariable} is set to '{chosen}', which is not executable; run 'chmod +x {chosen}' or point it at a Bun executable.");
        }
        var probe = BunVersionProbe.Run(path);
        if (!probe.Succeeded)
        {
            throw new CapaKitException(ExitCodes.MissingPrerequisite,
                $"{OverrideVariable} is set to '{chosen}', but {probe.Problem}; point it at a working Bun or unset it.");
        }
        return new BunInstallation(BunNative.RealPath(path), probe.Version!, BunSource.Environment);
    }

    /// <summary>A <c>bun</c> on PATH that cannot even print its version (say npm's placeholder whose install script never ran) is passed over.</summary>
    private static BunInstallation? FromSearchPath(string? searchPath)
    {
        foreach (var candidate in ExecutableSearch.Candidates(BunCacheLayout.ExecutableName, searchPath))
        {
            if (BunVersionProbe.Run(candidate) is { Succeeded: true } probe)
            {
                return new BunInstallation(BunNative.RealPath(candidate), probe.Version!, BunSource.Path);
            }
        }
        return null;
    }

    /// <summary>The cached pinned version, only when it still runs and says it is that version (a damaged one is left to the provisioner to replace).</summary>
    internal static BunInstallation? FromCache(BunCacheLayout layout)
    {
        if (!BunNative.IsExecutableFile(layout.Executable))
        {
            return null;
        }
        var probe = BunVersionProbe.Run(layout.Executable);
        return probe.Version == layout.Version
            ? new BunInstallation(BunNative.RealPath(layout.Executable), layout.Version, BunSource.Cache)
            : null;
    }
}
