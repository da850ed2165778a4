using System.Text.RegularExpressions;

namespace CapaKit.Tool.Egress;

/// <summary>Turns the registry URLs found in a config file into <see cref="RegistryReference"/>s, one per host.</summary>
/// <remarks>
/// Only literal http(s) URLs name a host. Environment references (<c>${VAR}</c>, <c>$VAR</c>) are never expanded (the
/// runtime's environment is not the workload's) and, like values that are not URLs, are skipped: the references only
/// serve an early, clear refusal, and the egress proxy refuses whatever unlisted host such a value turns into.
/// </remarks>
internal sealed partial class RegistryUrlCollector(string fileName)
{
    private readonly List<RegistryReference> _references = [];

    public IReadOnlyList<RegistryReference> References => _references;

    /// <param name="where">Where the URL came from, e.g. "line 3, registry"; never the value, which may hold credentials.</param>
    public void AddUrl(string where, string value)
    {
        var url = value.Trim();
        if (EnvironmentReference().IsMatch(url)
            || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http")
            || !EgressHostName.TryNormalize(uri.IdnHost, out var host))
        {
            return;
        }

        if (!_references.Any(r => r.Host == host))
        {
            _references.Add(new RegistryReference(fileName, where, host));
        }
    }

    [GeneratedRegex(@"\$\{[^}]*\}?|\$[A-Za-z_][A-Za-z0-9_]*")]
    private static partial Regex EnvironmentReference();
}
