using CapaKit.Bundle;
using CapaKit.Tasks.Certificates;
using CapaKit.Tasks.Diagnostics;
using CapaKit.Tasks.Imports;
using CapaKit.Tasks.Manifest;
using CapaKit.Tasks.Policies;
using CapaKit.Tasks.Skills;
using CapaKit.Tasks.Testing;

namespace CapaKit.Tasks.Compilation;

/// <summary>What one compilation produced.</summary>
/// <param name="Inputs">Files besides the project's own manifest that the bundle was compiled from (imported Kits' manifests).</param>
/// <param name="PackedImports">The Kit's path imports and the package each becomes when the Kit is packed.</param>
public sealed record CompileResult(KitBundle? Bundle, IReadOnlyList<string> Files, IReadOnlyList<string> Written, IReadOnlyList<string> Deleted)
{
    public IReadOnlyList<string> Inputs { get; init; } = [];
    public IReadOnlyList<(string Alias, string PackageId, string? Version)> PackedImports { get; init; } = [];
}

/// <summary>
/// The whole compiler, independent of MSBuild: manifest → validated model → kit bundle
/// (kit.json, a Seatbelt profile and a Linux spec per workload and phase, certificates).
/// </summary>
public static class KitCompiler
{
    public static CompileResult Compile(string manifestFile, string bundleDirectory, string compilerVersion, string? projectFile,
        DiagnosticBag diagnostics, DateTimeOffset now, string? userSecretsId = null, KitReferenceInputs? references = null)
    {
        references ??= KitReferenceInputs.None;
        var manifest = ManifestLoader.LoadFile(manifestFile, diagnostics);
        if (manifest is null)
        {
            return new CompileResult(null, [], [], []);
        }
        ManifestValidator.Validate(manifest, diagnostics);
        CheckWorkloadRoots(manifest, Path.GetDirectoryName(Path.GetFullPath(manifest.File))!, diagnostics);
        if (diagnostics.HasErrors)
        {
            return new CompileResult(null, [], [], []);
        }

        var bundle = KitModelBuilder.Build(manifest, compilerVersion, projectFile, userSecretsId);
        var imports = new KitImportResolver(references with { ProjectFile = references.ProjectFile ?? projectFile }, diagnostics, compilerVersion);
        imports.ImportAll(bundle, manifest, new KitSource
        {
            Kind = KitSourceKind.Root,
            ManifestFile = Path.GetFullPath(manifestFile),
            KitDirectory = bundle.Kit.Directory,
            ProjectFile = projectFile is null ? null : Path.GetFullPath(projectFile),
        });
        if (diagnostics.HasErrors)
        {
            return new CompileResult(null, [], [], []) { Inputs = imports.InputFiles };
        }
        bundle.StartOrder.Clear();
        bundle.StartOrder.AddRange(KitModelBuilder.StartOrder(bundle.Workloads));
        var testsFile = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(manifestFile))!, "capability-test.yml");
        var tests = File.Exists(testsFile) ? KitTestsLoader.Load(File.ReadAllText(testsFile), testsFile, bundle, diagnostics) : null;
        var skills = SkillsLoader.LoadAll(Path.GetDirectoryName(testsFile)!, diagnostics);
        bundle.Skills.AddRange(skills.Select(s => s.Model));
        if (diagnostics.HasErrors)
        {
            return new CompileResult(null, [], [], []);
        }

        var writer = new BundleWriter(bundleDirectory);
        writer.WriteText(BundleFormat.ModelFile, BundleFormat.Serialize(bundle));
        if (tests is not null)
        {
            writer.WriteText(BundleFormat.TestsFile, BundleFormat.Serialize(tests));
        }
        else if (File.Exists(Path.Combine(writer.Directory, BundleFormat.TestsFile)))
        {
            File.Delete(Path.Combine(writer.Directory, BundleFormat.TestsFile));
        }
        foreach (var workload in bundle.Workloads.Values)
        {
            foreach (var phase in workload.Phases.Keys)
            {
                writer.WriteText(BundleFormat.SeatbeltProfile(workload.Name, phase), SeatbeltProfileWriter.Write(bundle, workload, phase));
                writer.WriteText(BundleFormat.LinuxSpec(workload.Name, phase), BundleFormat.Serialize(LinuxSandboxSpecWriter.Write(bundle, workload, phase)));
            }
        }
        foreach (var skill in skills)
        {
            writer.CopyFile(skill.SourceFile, skill.Model.Path);
        }
        var deleted = writer.DeleteStale(BundleFormat.PoliciesFolder).ToList();
        deleted.AddRange(writer.DeleteStale(SkillsLoader.Folder));

        var certificates = KitCertificates.Ensure(writer.Directory, bundle.Kit.Name, bundle.Workloads.Keys.ToList(), now);
        writer.Track(certificates.Files, certificates.Written);
        deleted.AddRange(certificates.Deleted);
        return new CompileResult(bundle, writer.Files, writer.Written, deleted) { Inputs = imports.InputFiles, PackedImports = imports.PackedImports };
    }

    /// <summary>Every workload that runs code has its root, <c>workloads/&lt;name&gt;/</c>, under the Kit's folder.</summary>
    internal static void CheckWorkloadRoots(KitManifest manifest, string kitDirectory, DiagnosticBag diagnostics)
    {
        foreach (var workload in manifest.Workloads.Where(w => w.Runtime is not null && ManifestValidator.IsSafeName(w.Name.Value)))
        {
            var root = Path.Combine(kitDirectory, "workloads", workload.Name.Value);
            if (!Directory.Exists(root))
            {
                diagnostics.Error(DiagnosticCodes.WorkloadRootMissing,
                    $"Workload '{workload.Name.Value}' has no folder workloads/{workload.Name.Value}/ next to capability.yml; create it with the workload's package.json and source.",
                    workload.Name.Location);
            }
        }
    }
}
