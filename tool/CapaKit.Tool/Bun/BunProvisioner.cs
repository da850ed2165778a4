namespace CapaKit.Tool.Bun;

/// <summary>
/// Installs the pinned Bun from the npm registry into a per-user cache, once. The binary comes from Bun's own
/// platform package (npm checks its sha512), is proven to run and print the pinned version, and only then appears at
/// <c>&lt;cache&gt;/&lt;version&gt;/bin/bun</c> by one folder rename: a crash leaves either nothing or a whole install,
/// and a lock file makes concurrent callers wait for one install instead of racing.
/// </summary>
/// <param name="environment">The variables to use (PATH for npm, XDG_CACHE_HOME/HOME for the cache, npm's config); the process environment when null.</param>
public sealed class BunProvisioner(IReadOnlyDictionary<string, string?>? environment = null)
{
    /// <summary>
    /// The npm registry's latest <c>bun</c> when chosen, and the version the sample workloads were written against.
    /// Bump deliberately: every platform package (linux x64, x64-baseline, aarch64, their musl builds, darwin) must exist for it.
    /// </summary>
    public const string PinnedVersion = "1.4.5";

    /// <summary>$XDG_CACHE_HOME/capakit/bun, else ~/.cache/capakit/bun.</summary>
    public static string DefaultCacheRoot => BunCacheLayout.DefaultRoot(BunEnvironment.Current());

    /// <summary>The cached pinned Bun, installing it first when it is missing or damaged.</summary>
    /// <param name="progress">One line per step, for a status display.</param>
    public async Task<BunInstallation> EnsureAsync(string? cacheRoot = null, IProgress<string>? progress = null, CancellationToken ct = default)
    {
        var env = environment ?? BunEnvironment.Current();
        var layout = new BunCacheLayout(cacheRoot ?? BunCacheLayout.DefaultRoot(env), PinnedVersion);

        // The common case takes no lock: a finished install is only ever replaced whole.
        if (BunLocator.FromCache(layout) is { } cached)
        {
            progress?.Report($"Bun {PinnedVersion} is already installed at {cached.Executable}.");
            return cached;
        }

        Directory.CreateDirectory(layout.VersionDirectory);
        using (await ProvisionLock.AcquireAsync(layout.LockFile,
            () => progress?.Report($"Waiting for another installation of Bun {PinnedVersion} to finish..."), ct))
        {
            // Whoever held the lock may have just installed it.
            if (BunLocator.FromCache(layout) is { } installed)
            {
                progress?.Report($"Bun {PinnedVersion} is already installed at {installed.Executable}.");
                return installed;
            }
            if (Directory.Exists(layout.BinDirectory))
            {
                progress?.Report($"The cached Bun {PinnedVersion} at {layout.Executable} does not run or reports another version; reinstalling it.");
            }
            await InstallAsync(layout, env, progress, ct);
        }

        return BunLocator.FromCache(layout) ?? throw new CapaKitException(ExitCodes.MissingPrerequisite,
            $"Bun {PinnedVersion} was installed at {layout.Executable} but does not run there; check that the cache folder is not on a noexec mount, or set XDG_CACHE_HOME elsewhere.");
    }

    private async Task InstallAsync(BunCacheLayout layout, IReadOnlyDictionary<string, string?> env, IProgress<string>? progress, CancellationToken ct)
    {
        var platform = BunPlatform.Detect();
        var npm = NpmClient.Locate(env, environmentIsExplicit: environment is not null);

        RemoveLeftovers(layout);
        Directory.CreateDirectory(layout.StagingDirectory);
        progress?.Report($"Installing Bun {PinnedVersion} ({platform.PackageName}) from the npm registry with {npm.Executable}...");

        try
        {
            // bun's optionalDependencies stopped listing the -baseline packages (1.4.x), so the platform package is always named explicitly.
            var result = await npm.InstallAsync(layout.StagingDirectory, [$"bun@{PinnedVersion}", $"{platform.PackageName}@{PinnedVersion}"], ct);
            if (result.ExitCode != 0)
            {
                throw NpmFailure.Describe(result, platform, PinnedVersion);
            }

            NpmLockFile.RequireIntegrity(layout.StagingDirectory, platform.PackageName, PinnedVersion);
            var downloaded = Path.Combine(layout.StagingDirectory, platform.BinaryInPrefix);
            if (!File.Exists(downloaded))
            {
                throw new CapaKitException(ExitCodes.MissingPrerequisite,
                    $"npm installed {platform.PackageName}@{PinnedVersion} but it has no bin/bun; the registry's copy looks wrong, so set CAPAKIT_BUN to an installed Bun.");
            }

            // bin/ holds only the binary: the sandbox binds this folder, and node_modules must not come along.
            Directory.CreateDirectory(layout.StagedBinDirectory);
            File.Move(downloaded, layout.StagedExecutable);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(layout.StagedExecutable,
                    UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
                    UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            }

            var probe = BunVersionProbe.Run(layout.StagedExecutable);
            if (probe.Version != PinnedVersion)
            {
                var said = probe.Succeeded ? $"reports version '{probe.Version}'" : probe.Problem;
                throw new CapaKitException(ExitCodes.MissingPrerequisite,
                    $"The downloaded Bun {PinnedVersion} ({platform.PackageName}) fails its check: {said}; if this CPU or libc is unusual, install Bun yourself and set CAPAKIT_BUN.");
            }

            Publish(layout);
        }
        finally
        {
            // 100 MB of scratch, whether the install worked or not.
            TryDelete(layout.StagingDirectory);
        }
        progress?.Report($"Installed Bun {PinnedVersion} at {layout.Executable}.");
    }

    /// <summary>Swaps the verified bin/ in with renames, which are atomic within the version folder's file system.</summary>
    private static void Publish(BunCacheLayout layout)
    {
        if (Directory.Exists(layout.BinDirectory))
        {
            var trash = layout.NewTrashDirectory();
            Directory.Move(layout.BinDirectory, trash);
            TryDelete(trash);
        }
        Directory.Move(layout.StagedBinDirectory, layout.BinDirectory);
    }

    /// <summary>What a crashed or cancelled installer left; safe to remove because we hold the lock.</summary>
    private static void RemoveLeftovers(BunCacheLayout layout)
    {
        TryDelete(layout.StagingDirectory);
        foreach (var trash in Directory.EnumerateDirectories(layout.VersionDirectory, ".trash-*"))
        {
            TryDelete(trash);
        }
    }

    private static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Leftover scratch is harmless; the next installer removes it.
        }
    }
}
