using System.Runtime.InteropServices;

namespace CapaKit.Tool.Bun;

/// <summary>
/// Which of Bun's per-platform npm packages (<c>@oven/bun-&lt;os&gt;-&lt;arch&gt;[-musl][-baseline]</c>) fits this machine.
/// The <c>bun</c> package's own install script makes the same choice; we skip that script (--ignore-scripts) and choose here.
/// </summary>
internal sealed record BunPlatform(string Os, string Arch, bool Musl, bool Baseline)
{
    internal string PackageName => $"@oven/bun-{Os}-{Arch}{(Musl ? "-musl" : "")}{(Baseline ? "-baseline" : "")}";

    /// <summary>Where the package keeps the binary, relative to npm's prefix.</summary>
    internal string BinaryInPrefix => Path.Combine("node_modules", "@oven", PackageName["@oven/".Length..], "bin", BunCacheLayout.ExecutableName);

    internal static BunPlatform Detect()
    {
        var os = OperatingSystem.IsLinux() ? "linux" : OperatingSystem.IsMacOS() ? "darwin" : RuntimeInformation.OSDescription;
        // The runtime's own RID says which libc this process was built for: linux-musl-x64 on Alpine.
        var musl = OperatingSystem.IsLinux() && RuntimeInformation.RuntimeIdentifier.Contains("musl", StringComparison.Ordinal);
        return For(os, RuntimeInformation.OSArchitecture, musl, HasAvx2());
    }

    /// <summary>The package for a platform, or a clear error for one Bun does not ship.</summary>
    internal static BunPlatform For(string os, Architecture architecture, bool musl, bool avx2)
    {
        var arch = architecture switch
        {
            Architecture.X64 => "x64",
            Architecture.Arm64 => "aarch64",
            _ => null,
        };
        if (arch is null || (os != "linux" && os != "darwin"))
        {
            throw new CapaKitException(ExitCodes.MissingPrerequisite,
                $"Bun does not support {os} on {architecture}; install a Bun build yourself and set CAPAKIT_BUN to its path.");
        }
        // Only x64 has baseline (pre-AVX2) builds; macOS has no musl.
        return new BunPlatform(os, arch, musl && os == "linux", Baseline: arch == "x64" && !avx2);
    }

    /// <summary>Bun's regular x64 builds need AVX2 and die with SIGILL without it.</summary>
    internal static bool HasAvx2()
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                return CpuInfoHasAvx2(File.ReadAllText("/proc/cpuinfo"));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // No /proc (an unusual container): fall through to what the runtime detected.
            }
        }
        return System.Runtime.Intrinsics.X86.Avx2.IsSupported;
    }

    /// <summary>True when the first <c>flags</c> line of /proc/cpuinfo lists avx2.</summary>
    internal static bool CpuInfoHasAvx2(string cpuInfo)
    {
        foreach (var line in cpuInfo.Split('\n'))
        {
            var colon = line.IndexOf(':');
            if (colon > 0 && line[..colon].Trim() == "flags")
            {
                return line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains("avx2");
            }
        }
        return false;
    }
}
