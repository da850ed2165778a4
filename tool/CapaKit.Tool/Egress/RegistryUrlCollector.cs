using System.Text.RegularExpressions;

namespace CapaKit.Tool.Egress;

/// <summary>Turns registry URLs found in config files into allowlist hosts, or into problems when they cannot be used.</summary>
internal sealed partial class RegistryUrlCollector
{
    private readonly List<string> _hosts = [];
    private readonly List<string> _problems = [];

    public IReadOnlyList<string> Hosts => _hosts;

    public IReadOnlyList<string> Problems => _problems;

    public void AddHost(string host)
    {
        if (!_hosts.Contains(host))
        {
            _hosts.Add(host);
        }
    }

    /// <param name="where">Where the URL came from, e.g. ".npmrc line 3 (registry)"; never the value, which may hold credentials.</param>
    public void AddUrl(string where, string value)
    {
        var url = value.Trim();
        var variable = EnvironmentReference().Match(url);
        if (variable.Success)
        {
            _problems.Add($"{where}: the registry URL uses the environment variable {variable.Value}, which CapaKit does not expand for the install allowlist; write the registry URL literally.");
            return;
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http")
            || !EgressHostName.TryNormalize(uri.IdnHost, out var host))
        {
            _problems.Add($"{where}: the registry is not an absolute http(s) URL; write it like https://registry.example.com/.");
            return;
        }

        if (!EgressPolicy.DefaultPorts.Contains(uri.Port))
        {
            _problems.Add($"{where}: the registry {host} uses port {uri.Port}, and the install phase may only reach ports 80 and 443; serve it on 443 or set `network: full` in capability.yml.");
        }

        AddHost(host);
    }

    [GeneratedRegex(@"\$\{[^}]*\}?|\$[A-Za-z_][A-Za-z0-9_]*")]
    private static partial Regex EnvironmentReference();
}
