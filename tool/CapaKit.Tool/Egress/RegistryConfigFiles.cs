using CapaKit.Tool.Sandbox;

namespace CapaKit.Tool.Egress;

/// <summary>
/// The registries a workload's own <c>.npmrc</c> (<c>registry=</c>, <c>@scope:registry=</c>) and <c>bunfig.toml</c>
/// (<c>[install] registry</c>, <c>[install.scopes]</c>) name. Read only to tell the user early what the manifest lacks,
/// never to widen an allowlist: the sandbox writes these files.
/// </summary>
public static class RegistryConfigFiles
{
    public const string NpmrcFileName = ".npmrc";
    public const string BunfigFileName = "bunfig.toml";

    /// <summary>Config files are a few lines; anything near this is not one.</summary>
    private const long MaxBytes = 1024 * 1024;

    /// <exception cref="CapaKitException">A file is a symlink, not a regular file, or larger than 1 MiB (CAPA0500).</exception>
    public static IReadOnlyList<RegistryReference> Read(string workloadRoot)
    {
        ArgumentException.ThrowIfNullOrEmpty(workloadRoot);
        var references = new List<RegistryReference>();

        // Never File.ReadAllText: a workload can swap either name for a link to /dev/zero or to a host file.
        if (SandboxWrittenFiles.TryReadText(workloadRoot, NpmrcFileName, MaxBytes) is { } npmrc)
        {
            var collector = new RegistryUrlCollector(NpmrcFileName);
            NpmrcRegistryReader.Read(npmrc, collector);
            references.AddRange(collector.References);
        }

        if (SandboxWrittenFiles.TryReadText(workloadRoot, BunfigFileName, MaxBytes) is { } bunfig)
        {
            var collector = new RegistryUrlCollector(BunfigFileName);
            BunfigRegistryReader.Read(bunfig, collector);
            references.AddRange(collector.References);
        }

        return references;
    }
}
