using NuGet.Configuration;
using NuGet.Protocol;
using NuGet.Protocol.Core.Types;

namespace CapaKit.Tool.Packages;

/// <summary>
/// The NuGet feeds a Kit package is looked for on: the enabled sources of the nuget.config files in effect for a
/// folder (as `dotnet restore` there would see them), plus an optional <c>--source</c>, and the global packages
/// folder those settings (or NUGET_PACKAGES) name.
/// </summary>
public sealed class KitFeeds
{
    /// <summary>The name the <c>--source</c> feed gets in the nuget.config written for a Kit package.</summary>
    public const string ExtraSourceName = "capakit-source";

    private KitFeeds(ISettings settings, IReadOnlyList<PackageSource> sources, PackageSource? extra, string globalPackagesFolder)
    {
        Settings = settings;
        Sources = sources;
        Extra = extra;
        GlobalPackagesFolder = globalPackagesFolder;
        Repositories = [.. sources.Select(s => Repository.Factory.GetCoreV3(s))];
    }

    public ISettings Settings { get; }

    /// <summary>The feeds in the order they are asked: <c>--source</c> first (the user named it), then the configured ones.</summary>
    public IReadOnlyList<PackageSource> Sources { get; }

    public IReadOnlyList<SourceRepository> Repositories { get; }

    /// <summary>The <c>--source</c> feed, when one was given.</summary>
    public PackageSource? Extra { get; }

    public string GlobalPackagesFolder { get; }

    /// <summary>"a, b" for messages: the feeds as the user wrote them (URLs or folders).</summary>
    public string Describe() => Sources.Count == 0 ? "no feeds" : string.Join(", ", Sources.Select(s => s.Source));

    public static KitFeeds Load(string currentDirectory, string? extraSource)
    {
        ISettings settings;
        try
        {
            settings = NuGet.Configuration.Settings.LoadDefaultSettings(currentDirectory);
        }
        catch (NuGetConfigurationException e)
        {
            throw new CapaKitException(ExitCodes.Usage, $"A nuget.config in effect here cannot be read ({e.Message}); fix it and run again.");
        }
        var sources = new PackageSourceProvider(settings).LoadPackageSources().Where(s => s.IsEnabled).ToList();
        PackageSource? extra = null;
        if (!string.IsNullOrWhiteSpace(extraSource))
        {
            extra = new PackageSource(NormalizeSource(extraSource, currentDirectory), ExtraSourceName);
            sources.RemoveAll(s => string.Equals(s.Source.TrimEnd('/'), extra.Source.TrimEnd('/'), StringComparison.OrdinalIgnoreCase));
            sources.Insert(0, extra);
        }
        return new KitFeeds(settings, sources, extra, SettingsUtility.GetGlobalPackagesFolder(settings));
    }

    /// <summary>A URL stays as it is; anything else is a folder feed, made absolute so a generated nuget.config elsewhere still finds it.</summary>
    private static string NormalizeSource(string source, string currentDirectory)
    {
        if (Uri.TryCreate(source, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
        {
            return source;
        }
        var folder = Path.GetFullPath(source, currentDirectory);
        if (!Directory.Exists(folder))
        {
            throw new CapaKitException(ExitCodes.Usage, $"The feed '{source}' is neither an http(s) URL nor an existing folder; pass a feed URL or a folder of .nupkg files to --source.");
        }
        return folder;
    }
}
