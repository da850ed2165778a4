using System.Diagnostics;
using CapaKit.Bundle;

namespace CapaKit.Tool.Kits;

/// <summary>
/// Brings a Kit's bundle up to date: a cheap timestamp check of the build's own inputs first, and
/// `dotnet build` only when something changed (the build itself is incremental too).
/// </summary>
public static class KitBuilder
{
    public static bool IsFresh(KitProject kit)
    {
        var model = Path.Combine(kit.BundleDirectory, BundleFormat.ModelFile);
        if (!File.Exists(model) || !File.Exists(kit.StampFile))
        {
            return false;
        }
        var built = File.GetLastWriteTimeUtc(kit.StampFile);
        var tests = Path.Combine(kit.Directory, "capability-test.yml");
        // A missing file reads as 1601-01-01, older than any build.
        return File.GetLastWriteTimeUtc(kit.ManifestFile) <= built
            && File.GetLastWriteTimeUtc(kit.ProjectFile) <= built
            && File.GetLastWriteTimeUtc(tests) <= built
            // Skills are copied into the bundle (skills/<name>/SKILL.md), so an edited one makes it stale too.
            && !(Directory.Exists(Path.Combine(kit.Directory, "skills"))
                && Directory.EnumerateFiles(Path.Combine(kit.Directory, "skills"), "SKILL.md", SearchOption.AllDirectories).Any(f => File.GetLastWriteTimeUtc(f) > built))
            && File.Exists(tests) == File.Exists(Path.Combine(kit.BundleDirectory, BundleFormat.TestsFile))
            && File.GetLastWriteTimeUtc(kit.AssetsFile) <= built
            // An imported Kit's manifest (a project import's, edited in place) changes what this Kit compiles to.
            && !(File.Exists(kit.InputsFile) && File.ReadLines(kit.InputsFile).Any(f => f.Length > 0 && File.GetLastWriteTimeUtc(f) > built));
    }

    private static bool SameFolder(string a, string b) =>
        a.TrimEnd('/') == b.TrimEnd('/') || Sandbox.MountOverlapCheck.RealPath(a) == Sandbox.MountOverlapCheck.RealPath(b);

    /// <summary>Builds when stale; returns the bundle. Build errors become one <see cref="CapaKitException"/> carrying MSBuild's error lines.</summary>
    public static Task<KitBundle> EnsureBuiltAsync(KitProject kit, Action<string>? status, CancellationToken ct) =>
        EnsureBuiltAsync(kit, status, ct, rebuilt: false);

    private static async Task<KitBundle> EnsureBuiltAsync(KitProject kit, Action<string>? status, CancellationToken ct, bool rebuilt)
    {
        var building = !IsFresh(kit);
        if (building)
        {
            status?.Invoke($"Building {Path.GetFileName(kit.ProjectFile)}");
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = kit.Directory,
            };
            foreach (var arg in new[] { "build", kit.ProjectFile, "-nologo", "-v:q", "-clp:NoSummary", "-c", kit.Configuration })
            {
                start.ArgumentList.Add(arg);
            }
            if (Packages.KitPackageCache.Holds(kit.ProjectFile))
            {
                // A Kit package's project is ours, not its author's: a Directory.Build.rsp in or above the cache (a planted
                // one, or a home folder's) must not add switches (loggers, properties, targets) to its build.
                start.ArgumentList.Add("-noAutoResponse");
            }
            using var process = Process.Start(start) ?? throw new CapaKitException(ExitCodes.Tool, "Could not start 'dotnet'; install the .NET 10 SDK.");
            var stdout = process.StandardOutput.ReadToEndAsync(ct);
            var stderr = process.StandardError.ReadToEndAsync(ct);
            await process.WaitForExitAsync(ct);
            if (process.ExitCode != 0)
            {
                var all = (await stdout) + (await stderr);
                var lines = all.Split('\n')
                    .Where(l => l.Contains(": error ", StringComparison.Ordinal))
                    .Select(l => l.Trim())
                    .Distinct()
                    .ToList();
                throw new CapaKitException(ExitCodes.KitBuildFailed,
                    $"Building {Path.GetFileName(kit.ProjectFile)} failed; fix these and run again:\n  " +
                    (lines.Count > 0 ? string.Join("\n  ", lines) : all.Trim()));
            }
        }
        try
        {
            var bundle = BundleFormat.ReadModel(kit.BundleDirectory);
            // A copied or moved Kit (cp -a keeps the timestamps, so the build looks fresh) still has a bundle that names the
            // old folder: its workload roots, binds and installs would all be the original Kit's. Rebuild it here.
            if (!SameFolder(bundle.Kit.Directory, kit.Directory))
            {
                if (rebuilt)
                {
                    throw new CapaKitException(ExitCodes.KitBuildFailed,
                        $"CAPA0504: The bundle in {kit.BundleDirectory} was built for {bundle.Kit.Directory}, and rebuilding did not change that; delete the bin and obj folders of {kit.Directory} and run again.");
                }
                File.Delete(kit.StampFile);
                return await EnsureBuiltAsync(kit, status, ct, rebuilt: true);
            }
            // An imported package's workload roots live in obj/capakit-imports: if that was deleted, the build restores them.
            if (!building && !rebuilt && bundle.Workloads.Values.Any(w => !Directory.Exists(Path.Combine(bundle.Kit.Directory, w.Root))))
            {
                File.Delete(kit.StampFile);
                return await EnsureBuiltAsync(kit, status, ct, rebuilt: true);
            }
            return bundle;
        }
        catch (InvalidDataException) when (!building && !rebuilt)
        {
            // A bundle from another SDK version (an older bundle format): rebuild once rather than fail.
            File.Delete(kit.StampFile);
            return await EnsureBuiltAsync(kit, status, ct, rebuilt: true);
        }
        catch (InvalidDataException e)
        {
            throw new CapaKitException(ExitCodes.KitBuildFailed, e.Message);
        }
    }
}
