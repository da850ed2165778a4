using NuGet.Packaging;

namespace CapaKit.Tool.Packages;

/// <summary>The NuGet package type that marks a Kit package (<c>&lt;packageType name="CapaKit" /&gt;</c> in its nuspec).</summary>
public static class KitPackageType
{
    public const string Name = "CapaKit";

    /// <summary>The folder of a Kit package that holds the Kit (capability.yml, workloads/, skills/…).</summary>
    public const string KitFolder = "kit";

    public static bool IsKit(NuspecReader nuspec) =>
        nuspec.GetPackageTypes().Any(t => string.Equals(t.Name, Name, StringComparison.OrdinalIgnoreCase));

    /// <summary>"Dependency" for an ordinary library (a nuspec without package types), else the declared names.</summary>
    public static string Describe(NuspecReader nuspec)
    {
        var types = nuspec.GetPackageTypes().Select(t => t.Name).ToList();
        return types.Count == 0 ? "Dependency" : string.Join(", ", types);
    }
}
