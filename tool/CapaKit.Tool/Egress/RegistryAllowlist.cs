namespace CapaKit.Tool.Egress;

/// <summary>
/// Works out which registries a workload installs from: registry.npmjs.org, plus every registry named by the
/// workload's own <c>.npmrc</c> (<c>registry=</c>, <c>@scope:registry=</c>) and <c>bunfig.toml</c>
/// (<c>[install] registry</c>, <c>[install.scopes]</c>).
/// </summary>
/// <remarks>
/// Environment references (<c>${VAR}</c>, <c>$VAR</c>) are never expanded: the runtime's environment is not the
/// workload's, and expanding it would let a variable widen the allowlist. They are reported as problems instead.
/// </remarks>
public static class RegistryAllowlist
{
    public const string DefaultRegistryHost = "registry.npmjs.org";
    public const string NpmrcFileName = ".npmrc";
    public const string BunfigFileName = "bunfig.toml";

    public static IReadOnlyList<string> For(string workloadRoot) => Read(workloadRoot).Hosts;

    public static RegistryAllowlistReport Read(string workloadRoot)
    {
        ArgumentException.ThrowIfNullOrEmpty(workloadRoot);
        var collector = new RegistryUrlCollector();
        collector.AddHost(DefaultRegistryHost);

        var npmrc = Path.Combine(workloadRoot, NpmrcFileName);
        if (File.Exists(npmrc))
        {
            NpmrcRegistryReader.Read(File.ReadAllText(npmrc), NpmrcFileName, collector);
        }

        var bunfig = Path.Combine(workloadRoot, BunfigFileName);
        if (File.Exists(bunfig))
        {
            BunfigRegistryReader.Read(File.ReadAllText(bunfig), BunfigFileName, collector);
        }

        return new RegistryAllowlistReport(collector.Hosts, collector.Problems);
    }
}
