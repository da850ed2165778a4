using System.Security.Cryptography;
using NuGet.Common;
using NuGet.Packaging;
using NuGet.Packaging.Core;
using NuGet.Packaging.Signing;
using NuGet.Protocol;
using NuGet.Protocol.Core.Types;
using NuGet.Versioning;

namespace CapaKit.Tool.Packages;

/// <summary>
/// Finds a Kit package on the feeds, picks its version, and makes sure it is extracted in the global packages
/// folder, the way restore would put it there (so a later restore of a Kit that imports it finds it too).
/// </summary>
public static class KitPackageResolver
{
    private const int NearestCount = 2;

    public static async Task<ResolvedKitPackage> ResolveAsync(KitPackageSpec spec, KitFeeds feeds, Action<string> status, CancellationToken ct)
    {
        // An exact version already in the global packages folder needs no feed at all (and works offline).
        if (spec.Version is { } exact && GlobalPackagesFolderUtility.GetPackage(new PackageIdentity(spec.Id, exact), feeds.GlobalPackagesFolder) is { } present)
        {
            present.Dispose();
            return Read(spec.Id, exact, feeds.GlobalPackagesFolder);
        }

        using var cache = new SourceCacheContext { NoCache = true }; // "the newest" must mean the newest now, not half an hour ago
        status($"Looking for {spec.Id} on {feeds.Sources.Count} feed{(feeds.Sources.Count == 1 ? "" : "s")}");
        var (versions, failures) = await ListVersionsAsync(spec.Id, feeds, cache, ct);
        if (versions.Count == 0)
        {
            var unreadable = failures.Count == 0 ? "" : $"; {string.Join("; ", failures.Select(f => $"{f.Source} could not be read: {f.Reason}"))}";
            throw new CapaKitException(ExitCodes.Usage,
                $"No package '{spec.Id}' on any feed (tried {feeds.Describe()}{unreadable}); check the id with 'dotnet capakit search', or name its feed with --source <url or folder>.");
        }

        var version = spec.Version is null ? Newest(versions.Keys) : versions.Keys.FirstOrDefault(v => v == spec.Version);
        if (version is null)
        {
            throw new CapaKitException(ExitCodes.Usage,
                $"'{spec.Id}' has no version {spec.Version!.ToNormalizedString()} on the feeds (nearest: {string.Join(", ", Nearest(versions.Keys, spec.Version).Select(v => v.ToNormalizedString()))}); " +
                $"run 'dotnet capakit up {spec.Id}@<one of those>', or 'up {spec.Id}' for the newest.");
        }

        if (GlobalPackagesFolderUtility.GetPackage(new PackageIdentity(spec.Id, version), feeds.GlobalPackagesFolder) is { } installed)
        {
            installed.Dispose();
        }
        else
        {
            var feed = versions[version];
            status($"Downloading {spec.Id} {version.ToNormalizedString()} from {feed.PackageSource.Source}");
            await DownloadAsync(spec.Id, version, feed, feeds, cache, ct);
        }
        return Read(spec.Id, version, feeds.GlobalPackagesFolder) with { UnreadableSources = [.. failures.Select(f => f.Source)] };
    }

    /// <summary>Every version on every feed that answers, each with the first feed that has it; unreadable feeds as one reason each.</summary>
    private static async Task<(Dictionary<NuGetVersion, SourceRepository> Versions, List<(string Source, string Reason)> Failures)> ListVersionsAsync(
        string id, KitFeeds feeds, SourceCacheContext cache, CancellationToken ct)
    {
        var answers = await Task.WhenAll(feeds.Repositories.Select(async repository =>
        {
            try
            {
                var finder = await FinderAsync(repository, ct);
                return (repository, versions: (await finder.GetAllVersionsAsync(id, cache, NullLogger.Instance, ct)).ToList(), error: (string?)null);
            }
            catch (Exception e) when (IsFeedFailure(e))
            {
                return (repository, versions: new List<NuGetVersion>(), error: e.Message);
            }
        }));
        var found = new Dictionary<NuGetVersion, SourceRepository>();
        foreach (var (repository, versions, _) in answers)
        {
            foreach (var version in versions)
            {
                found.TryAdd(version, repository);
            }
        }
        return (found, [.. answers.Where(a => a.error is not null).Select(a => (a.repository.PackageSource.Source, a.error!))]);
    }

    /// <summary>A feed that cannot be read (gone folder, unreachable server, refused credentials), as opposed to a bug of ours.</summary>
    internal static bool IsFeedFailure(Exception e) =>
        // NuGet's folder resources report a missing folder with InvalidOperationException.
        // A feed without a feature we ask for (search by package type on some v3 servers) throws NotSupportedException.
        e is FatalProtocolException or IOException or HttpRequestException or UnauthorizedAccessException or InvalidOperationException
            or NotSupportedException;

    /// <summary>The highest stable version; the highest prerelease only when there is no stable one.</summary>
    internal static NuGetVersion Newest(IEnumerable<NuGetVersion> versions)
    {
        var all = versions.ToList();
        return all.Where(v => !v.IsPrerelease).DefaultIfEmpty().Max() ?? all.Max()!;
    }

    /// <summary>The versions just below and just above the one asked for, closest first on each side.</summary>
    internal static IReadOnlyList<NuGetVersion> Nearest(IEnumerable<NuGetVersion> versions, NuGetVersion wanted)
    {
        var sorted = versions.Distinct().Order().ToList();
        var below = sorted.Where(v => v < wanted).TakeLast(NearestCount);
        var above = sorted.Where(v => v > wanted).Take(NearestCount);
        return [.. below, .. above];
    }

    /// <summary>
    /// Fetches the .nupkg, refuses anything that is not a Kit package before it reaches the global packages
    /// folder, then extracts it there with NuGet's own layout (hash and metadata files included).
    /// </summary>
    private static async Task DownloadAsync(string id, NuGetVersion version, SourceRepository feed, KitFeeds feeds, SourceCacheContext cache, CancellationToken ct)
    {
        var finder = await FinderAsync(feed, ct);
        using var buffer = new MemoryStream(); // Kit packages are sources only: small
        bool copied;
        try
        {
            copied = await finder.CopyNupkgToStreamAsync(id, version, buffer, cache, NullLogger.Instance, ct);
        }
        catch (Exception e) when (e is FatalProtocolException or IOException or HttpRequestException)
        {
            throw new CapaKitException(ExitCodes.Usage, $"Downloading {id} {version.ToNormalizedString()} from {feed.PackageSource.Source} failed ({e.Message}); check the feed and run again.");
        }
        if (!copied)
        {
            throw new CapaKitException(ExitCodes.Usage, $"{feed.PackageSource.Source} listed {id} {version.ToNormalizedString()} but did not serve it; run again, or name another feed with --source.");
        }
        buffer.Position = 0;
        using (var reader = new PackageArchiveReader(buffer, leaveStreamOpen: true))
        {
            EnsureKit(id, version, reader.NuspecReader, reader.GetFiles());
        }
        buffer.Position = 0;
        var identity = new PackageIdentity(id, version);
        using var result = await GlobalPackagesFolderUtility.AddPackageAsync(feed.PackageSource.Source, identity, buffer, feeds.GlobalPackagesFolder,
            parentId: Guid.Empty, ClientPolicyContext.GetClientPolicy(feeds.Settings, NullLogger.Instance), NullLogger.Instance, ct);
    }

    // Every v2, v3 and folder feed offers it; a feed that does not is reported like one that cannot be read.
    private static async Task<FindPackageByIdResource> FinderAsync(SourceRepository feed, CancellationToken ct) =>
        await feed.GetResourceAsync<FindPackageByIdResource>(ct) ?? throw new IOException("the feed offers no package lookup");

    private static ResolvedKitPackage Read(string id, NuGetVersion version, string globalPackagesFolder)
    {
        var layout = new VersionFolderPathResolver(globalPackagesFolder);
        var installPath = layout.GetInstallPath(id, version);
        using var reader = new PackageFolderReader(installPath);
        var nuspec = reader.NuspecReader;
        // Checked here too: the package may have come into the global packages folder by another way than ours.
        EnsureKit(id, version, nuspec, reader.GetFiles());
        var imports = nuspec.GetDependencyGroups()
            .SelectMany(g => g.Packages)
            .DistinctBy(d => d.Id, StringComparer.OrdinalIgnoreCase)
            .Select(d => new KitPackageImport(d.Id, d.VersionRange))
            .ToList();
        using var nupkg = File.OpenRead(layout.GetPackageFilePath(id, version));
        return new ResolvedKitPackage(nuspec.GetId(), version, installPath, Convert.ToHexStringLower(SHA512.HashData(nupkg)), imports);
    }

    private static void EnsureKit(string id, NuGetVersion version, NuspecReader nuspec, IEnumerable<string> files)
    {
        var name = $"{id} {version.ToNormalizedString()}";
        if (!KitPackageType.IsKit(nuspec))
        {
            throw new CapaKitException(ExitCodes.Usage,
                $"{name} is not a Kit package (its package type is {KitPackageType.Describe(nuspec)}, not {KitPackageType.Name}); name a Kit package ('dotnet capakit search' lists them) or a Kit folder.");
        }
        if (!files.Any(f => string.Equals(f.Replace('\\', '/'), $"{KitPackageType.KitFolder}/capability.yml", StringComparison.OrdinalIgnoreCase)))
        {
            throw new CapaKitException(ExitCodes.Usage,
                $"{name} is marked as a Kit package but holds no {KitPackageType.KitFolder}/capability.yml; ask its author to pack it with CapaKit.Sdk.");
        }
    }
}
