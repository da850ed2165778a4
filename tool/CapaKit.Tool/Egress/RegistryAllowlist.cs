using CapaKit.Bundle;
using CapaKit.Tool.Sandbox;

namespace CapaKit.Tool.Egress;

/// <summary>
/// The hosts an install phase's egress proxy lets through: the phase's <c>registries</c> as the bundle holds them
/// (compiled from capability.yml), and nothing else.
/// </summary>
/// <remarks>
/// The workload root is writable inside the sandbox, so an earlier install (a postinstall script) can rewrite its
/// <c>.npmrc</c>; that file must never widen the next install's egress. It is read only to stop before the run with one
/// sentence naming the file, the host and the manifest key, instead of a refused connection deep inside the install.
/// </remarks>
public static class RegistryAllowlist
{
    public const string UnlistedRegistryCode = "CAPA0520";

    /// <exception cref="CapaKitException">The workload's .npmrc or bunfig.toml names a registry the phase does not list (CAPA0520), or cannot be read safely (CAPA0500).</exception>
    public static IReadOnlyList<string> For(SandboxRun run) =>
        For(run.PhaseModel.Registries, run.WorkloadRoot, ManifestKey(run.Workload, run.Phase));

    internal static IReadOnlyList<string> For(IReadOnlyList<string> registries, string workloadRoot, string manifestKey)
    {
        var listed = new EgressPolicy(registries);
        foreach (var reference in RegistryConfigFiles.Read(workloadRoot))
        {
            if (!listed.IsListed(reference.Host))
            {
                throw new CapaKitException(ExitCodes.Tool,
                    $"{UnlistedRegistryCode}: {Path.Combine(workloadRoot, reference.File)} ({reference.Where}) names the registry {reference.Host}, "
                    + $"which this phase may not reach because it is not in {manifestKey}; add it there and rebuild if you trust it, "
                    + $"or remove it from {reference.File} (an earlier run may have written it).");
            }
        }

        return listed.AllowedHosts;
    }

    /// <summary>Where the phase's list lives: <c>workloads.api.runtime.source.prepare.registries</c> of the Kit's or the imported Kit's manifest.</summary>
    internal static string ManifestKey(WorkloadModel workload, string phase)
    {
        var imported = workload.ImportedFrom is { } alias && workload.Name.StartsWith(alias + ".", StringComparison.Ordinal);
        var name = imported ? workload.Name[(workload.ImportedFrom!.Length + 1)..] : workload.Name;
        var file = imported ? $"the capability.yml of the imported Kit '{workload.ImportedFrom}'" : "capability.yml";
        return $"`workloads.{name}.runtime.source.{phase}.registries` of {file}";
    }
}
