using NuGet.Packaging;
using NuGet.Versioning;

namespace CapaKit.Tool.Packages;

/// <summary>A Kit named by its NuGet package id, with an exact version or none (the newest).</summary>
public sealed record KitPackageSpec(string Id, NuGetVersion? Version)
{
    public override string ToString() => Version is null ? Id : $"{Id}@{Version.ToNormalizedString()}";

    /// <summary>
    /// Reads a Kit argument as <c>&lt;id&gt;[@&lt;version&gt;]</c>, or returns null when it names a path. A file or
    /// folder that exists always wins, so a Kit folder that happens to look like a package id still runs locally;
    /// an argument with a path separator or a .kitproj extension is a path even when it does not exist, so a typo
    /// there is reported as a missing path rather than a missing package.
    /// </summary>
    public static KitPackageSpec? TryParse(string? argument, string currentDirectory)
    {
        if (string.IsNullOrEmpty(argument)
            || argument.Contains('/') || argument.Contains('\\') || argument is "." or ".."
            || argument.EndsWith(".kitproj", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        var full = Path.GetFullPath(argument, currentDirectory);
        if (File.Exists(full) || Directory.Exists(full))
        {
            return null;
        }
        var at = argument.IndexOf('@');
        var id = at < 0 ? argument : argument[..at];
        if (!PackageIdValidator.IsValidPackageId(id))
        {
            return null;
        }
        if (at < 0)
        {
            return new KitPackageSpec(id, null);
        }
        var text = argument[(at + 1)..];
        if (!NuGetVersion.TryParse(text, out var version))
        {
            throw new CapaKitException(ExitCodes.Usage, $"'{text}' in '{argument}' is not a NuGet version; write {id}@1.2.3, or just {id} for the newest.");
        }
        return new KitPackageSpec(id, version);
    }
}
