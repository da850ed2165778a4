using CapaKit.Bundle;
using CapaKit.Tool.Kits;
using CapaKit.Tool.Runtime;
using CapaKit.Tool.Secrets;

namespace CapaKit.Tool.Sandbox;

/// <summary>
/// A host mount is a folder the user hands a workload; it must not hand over what the runtime trusts. A mount that
/// holds the Kit project could rewrite the manifest or the bundle (policies, keys) the next run obeys; one inside the
/// runtime folder, the user-secrets store or the shared caches reaches other Kits' sockets, secrets and tools; one
/// over another workload's root breaks the walls between workloads; one above its own root could make that root
/// read-only or expose its siblings.
/// </summary>
public static class MountOverlapCheck
{
    /// <summary>One place a mount may not overlap, and what a sandbox could do there.</summary>
    private sealed record Protected(string Path, string What, bool OnlyAbove);

    /// <summary>Throws CAPA0502 when <paramref name="mountPath"/> (a real, symlink-free path) overlaps a protected folder.</summary>
    public static void Check(string mountName, string mountPath, KitProject kit, KitBundle bundle, WorkloadModel workload, string bunExecutable)
    {
        foreach (var place in ProtectedPlaces(kit, bundle, workload, bunExecutable))
        {
            var path = RealPath(place.Path);
            var above = IsSameOrBelow(path, mountPath);
            var below = !place.OnlyAbove && IsSameOrBelow(mountPath, path);
            if (above || below)
            {
                throw new CapaKitException(ExitCodes.Usage,
                    $"CAPA0502: The folder '{mountPath}' given for mount '{mountName}' {(above ? "holds" : "is inside")} {place.What} ({path}), which a sandbox must never write; pass a folder of its own.");
            }
        }
    }

    private static IEnumerable<Protected> ProtectedPlaces(KitProject kit, KitBundle bundle, WorkloadModel workload, string bunExecutable)
    {
        // The Kit project itself: a data folder inside it is fine, the project folder or anything above it is not.
        yield return new(kit.Directory, "the Kit project (its manifest and bundle)", OnlyAbove: true);
        yield return new(Path.Combine(kit.Directory, "bin"), "the Kit's build output (its bundle: policies and keys)", OnlyAbove: false);
        yield return new(Path.Combine(kit.Directory, "obj"), "the Kit's intermediate build folder (imported Kits, build stamps)", OnlyAbove: false);
        yield return new(Path.Combine(kit.Directory, "skills"), "the Kit's skills (copied into coding agents' skill folders)", OnlyAbove: false);
        yield return new(Path.Combine(kit.Directory, ".git"), "the Kit's git repository (its hooks run on the host)", OnlyAbove: false);
        yield return new(kit.BundleDirectory, "the Kit's bundle (policies and keys)", OnlyAbove: false);
        foreach (var other in bundle.Workloads.Values)
        {
            var root = Path.GetFullPath(Path.Combine(bundle.Kit.Directory, other.Root));
            yield return other.Name == workload.Name
                ? new(root, "this workload's own root, which would become the mount's copy", OnlyAbove: true)
                : new(root, $"the root of workload '{other.Name}'", OnlyAbove: false);
        }
        yield return new(RuntimeFolder.UserRoot(), "CapaKit's runtime folder (every running Kit's sockets and state)", OnlyAbove: false);
        yield return new(UserCache.Root, "CapaKit's cache (Bun, Kit packages, phase markers)", OnlyAbove: false);
        yield return new(Path.GetDirectoryName(bunExecutable)!, "the folder of the Bun every sandbox runs", OnlyAbove: false);
        yield return new(UserSecretsPaths.Root(), "the .NET user-secrets store", OnlyAbove: false);
        yield return new(NuGetPackagesFolder(), "the NuGet packages folder (the CapaKit SDK and Kit packages builds load)", OnlyAbove: false);
    }

    private static string NuGetPackagesFolder() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } packages
            ? packages
            : Path.Combine(Environment.GetEnvironmentVariable("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    private static bool IsSameOrBelow(string path, string folder)
    {
        var f = folder.TrimEnd('/');
        return path == f || path.StartsWith(f + "/", StringComparison.Ordinal) || f.Length == 0;
    }

    /// <summary>
    /// realpath(3) of the longest existing part of <paramref name="path"/>, plus the rest: every symlink on the way is
    /// resolved, so neither a linked mount nor a linked protected folder can hide an overlap.
    /// </summary>
    public static string RealPath(string path)
    {
        var full = Path.GetFullPath(path).TrimEnd('/');
        var existing = full.Length == 0 ? "/" : full;
        var rest = new Stack<string>();
        while (!Directory.Exists(existing) && !File.Exists(existing) && Path.GetDirectoryName(existing) is { } parent)
        {
            rest.Push(Path.GetFileName(existing));
            existing = parent;
        }
        var resolved = Linux.Native.RealPath(existing) ?? existing;
        return rest.Count == 0 ? resolved : Path.Combine([resolved, .. rest]);
    }
}
