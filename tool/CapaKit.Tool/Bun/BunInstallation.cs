namespace CapaKit.Tool.Bun;

/// <summary>A Bun the tool can run workloads with.</summary>
/// <param name="Executable">Absolute, with every symlink resolved: the sandbox binds this file's folder read-only, so it must be the real one.</param>
/// <param name="Version">What <c>bun --version</c> printed.</param>
/// <param name="Source">Where it was found.</param>
public sealed record BunInstallation(string Executable, string Version, BunSource Source);

/// <summary>Where a <see cref="BunInstallation"/> came from, in the order <see cref="BunLocator"/> looks.</summary>
public enum BunSource
{
    /// <summary>The <c>CAPAKIT_BUN</c> variable named it.</summary>
    Environment,
    /// <summary>The first working <c>bun</c> on PATH.</summary>
    Path,
    /// <summary>The pinned version that <see cref="BunProvisioner"/> installed into the tool's cache.</summary>
    Cache,
}
