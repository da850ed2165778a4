using System.Text.Json;

namespace CapaKit.Tool.Bun;

/// <summary>
/// npm's record of what it installed (<c>node_modules/.package-lock.json</c>, written even with --no-save).
/// npm checked each tarball against the <c>integrity</c> it records there; a missing or non-sha512 entry means
/// the binary came from somewhere we cannot vouch for.
/// </summary>
internal static class NpmLockFile
{
    internal static string RequireIntegrity(string prefix, string packageName, string version)
    {
        var path = Path.Combine(prefix, "node_modules", ".package-lock.json");
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            if (document.RootElement.TryGetProperty("packages", out var packages)
                && packages.TryGetProperty($"node_modules/{packageName}", out var entry)
                && entry.TryGetProperty("version", out var installed) && installed.GetString() == version
                && entry.TryGetProperty("integrity", out var integrity) && integrity.GetString() is { } value
                && value.StartsWith("sha512-", StringComparison.Ordinal))
            {
                return value;
            }
        }
        catch (Exception e) when (e is IOException or JsonException or InvalidOperationException)
        {
            // Falls through to the same error: the record is unreadable.
        }
        throw new CapaKitException(ExitCodes.MissingPrerequisite,
            $"npm did not record a sha512 integrity for {packageName}@{version} in {path}, so CapaKit will not use it; upgrade to npm 7 or newer (which records one) or check your registry settings, and run again.");
    }
}
