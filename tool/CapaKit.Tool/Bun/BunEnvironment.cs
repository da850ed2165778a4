using System.Collections;

namespace CapaKit.Tool.Bun;

/// <summary>
/// The variables Bun lookup reads. Callers may pass their own dictionary so that tests (and embedders)
/// never have to mutate the process environment, which other threads share.
/// </summary>
internal static class BunEnvironment
{
    internal static IReadOnlyDictionary<string, string?> Current()
    {
        var copy = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            copy[(string)entry.Key] = entry.Value as string;
        }
        return copy;
    }

    internal static string? Get(this IReadOnlyDictionary<string, string?> environment, string name) =>
        environment.TryGetValue(name, out var value) && !string.IsNullOrEmpty(value) ? value : null;
}
