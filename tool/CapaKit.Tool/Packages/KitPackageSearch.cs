using NuGet.Common;
using NuGet.Packaging;
using NuGet.Packaging.Core;
using NuGet.Protocol;
using NuGet.Protocol.Core.Types;
using NuGet.Versioning;

namespace CapaKit.Tool.Packages;

/// <summary>One Kit package found by <c>search</c>: its newest version and the feed that has it.</summary>
public sealed record KitSearchHit(string Id, NuGetVersion Version, string Description, string Feed);

/// <summary>What a search found, and the feeds that could not be read (one reason each).</summary>
public sealed record KitSearchResult(IReadOnlyList<KitSearchHit> Hits, IReadOnlyList<string> Failures);

/// <summary>
/// Searches every feed for packages of type CapaKit. A feed that filters by package type itself (nuget.org's
/// search, NuGet's folder feeds) is asked to; for any other feed each result's nuspec is read and non-Kits dropped.
/// </summary>
public static class KitPackageSearch
{
    /// <summary>How many pages a feed that cannot filter is read for, so a feed full of libraries cannot make a search endless.</summary>
    private const int MaxUnfilteredPages = 10;

    public static async Task<KitSearchResult> SearchAsync(KitFeeds feeds, string term, bool prerelease, int take, CancellationToken ct)
    {
        using var cache = new SourceCacheContext { NoCache = true };
        var answers = await Task.WhenAll(feeds.Repositories.Select(async repository =>
        {
            try
            {
                return (hits: await SearchFeedAsync(repository, term, prerelease, take, cache, ct), error: (string?)null);
            }
            catch (Exception e) when (KitPackageResolver.IsFeedFailure(e))
            {
                return (hits: new List<KitSearchHit>(), error: $"{repository.PackageSource.Source} could not be searched: {e.Message}");
            }
        }));
        // One line per id: the newest version wins, then the feed asked first.
        var hits = answers.SelectMany(a => a.hits)
            .GroupBy(h => h.Id, StringComparer.OrdinalIgnoreCase)
            .Select(g => g.OrderByDescending(h => h.Version).First())
            .OrderBy(h => h.Id, StringComparer.OrdinalIgnoreCase)
            .Take(take)
            .ToList();
        return new KitSearchResult(hits, [.. answers.Where(a => a.error is not null).Select(a => a.error!)]);
    }

    private static async Task<List<KitSearchHit>> SearchFeedAsync(SourceRepository repository, string term, bool prerelease, int take, SourceCacheContext cache, CancellationToken ct)
    {
        var search = await repository.GetResourceAsync<PackageSearchResource>(ct)
            ?? throw new IOException("the feed offers no search");
        var filter = new SearchFilter(prerelease) { PackageType = KitPackageType.Name };
        var hits = new List<KitSearchHit>();
        if (search.SupportsPackageTypeFiltering)
        {
            foreach (var result in await search.SearchAsync(term, filter, 0, take, NullLogger.Instance, ct))
            {
                hits.Add(Hit(result, repository));
            }
            return hits;
        }
        var finder = await repository.GetResourceAsync<FindPackageByIdResource>(ct)
            ?? throw new IOException("the feed offers no package lookup");
        // A feed that cannot filter by package type refuses a filter that names one: search everything, read nuspecs.
        var unfiltered = new SearchFilter(prerelease);
        for (var page = 0; page < MaxUnfilteredPages && hits.Count < take; page++)
        {
            var results = (await search.SearchAsync(term, unfiltered, page * take, take, NullLogger.Instance, ct)).ToList();
            foreach (var result in results)
            {
                if (hits.Count < take && await IsKitAsync(finder, result.Identity, cache, ct))
                {
                    hits.Add(Hit(result, repository));
                }
            }
            if (results.Count < take)
            {
                break;
            }
        }
        return hits;
    }

    /// <summary>Reads the package's nuspec. A remote feed's downloader has no reader until the package is copied, so copy it.</summary>
    private static async Task<bool> IsKitAsync(FindPackageByIdResource finder, PackageIdentity identity, SourceCacheContext cache, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        if (!await finder.CopyNupkgToStreamAsync(identity.Id, identity.Version, buffer, cache, NullLogger.Instance, ct))
        {
            return false;
        }
        buffer.Position = 0;
        using var package = new PackageArchiveReader(buffer);
        return KitPackageType.IsKit(package.NuspecReader);
    }

    private static KitSearchHit Hit(IPackageSearchMetadata result, SourceRepository repository) => new(
        result.Identity.Id,
        result.Identity.Version,
        // A table cell and a JSON field, not a page: the first line of the description (or the summary).
        (string.IsNullOrWhiteSpace(result.Description) ? result.Summary ?? "" : result.Description).Trim().Split('\n')[0].Trim(),
        repository.PackageSource.Source);
}
