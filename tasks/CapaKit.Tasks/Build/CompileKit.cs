using CapaKit.Tasks.Compilation;
using CapaKit.Tasks.Diagnostics;
using CapaKit.Tasks.Imports;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace CapaKit.Tasks.Build;

/// <summary>MSBuild face of <see cref="KitCompiler"/>: logs its diagnostics with codes, files and positions.</summary>
public sealed class CompileKit : Microsoft.Build.Utilities.Task
{
    [Required]
    public string ManifestFile { get; set; } = "";

    [Required]
    public string BundleDirectory { get; set; } = "";

    [Required]
    public string CompilerVersion { get; set; } = "";

    public string? ProjectFile { get; set; }

    /// <summary>The project's UserSecretsId, recorded so the runtime finds the Kit's secrets.</summary>
    public string? UserSecretsId { get; set; }

    /// <summary>The project's <c>project.assets.json</c>: where imported Kit packages were restored.</summary>
    public string? AssetsFile { get; set; }

    /// <summary>Referenced Kit projects, with metadata <c>ManifestFile</c>, <c>PackageId</c> and <c>PackageVersion</c>.</summary>
    public ITaskItem[] KitProjectReferences { get; set; } = [];

    /// <summary>Where package Kits' workload sources are copied (their read-write roots).</summary>
    public string? ImportsDirectory { get; set; }

    /// <summary>Written with the Kit's path imports → packages (packed as kit/imports.json); deleted when there are none.</summary>
    public string? PackedImportsFile { get; set; }

    /// <summary>Written with the manifest's license, which a pack uses when the project sets no license.</summary>
    public string? LicenseFile { get; set; }

    /// <summary>Prefix of the help link of each CAPA code (the code's anchor is appended).</summary>
    public string HelpLinkBase { get; set; } = "";

    /// <summary>Every file of the bundle, for FileWrites and the next build's completeness check.</summary>
    [Output]
    public ITaskItem[] BundleFiles { get; private set; } = [];

    /// <summary>Imported Kits' manifests the bundle was compiled from: the next build is stale when one changes.</summary>
    [Output]
    public ITaskItem[] InputFiles { get; private set; } = [];

    public override bool Execute()
    {
        var diagnostics = new DiagnosticBag();
        CompileResult result;
        try
        {
            var references = new KitReferenceInputs
            {
                ProjectFile = ProjectFile,
                AssetsFile = string.IsNullOrEmpty(AssetsFile) ? null : AssetsFile,
                ImportsDirectory = string.IsNullOrEmpty(ImportsDirectory) ? null : ImportsDirectory,
                ProjectReferences = KitProjectReferences
                    .Select(r => new KitProjectReference(
                        r.GetMetadata("FullPath"),
                        r.GetMetadata("ManifestFile"),
                        NullIfEmpty(r.GetMetadata("PackageId")),
                        NullIfEmpty(r.GetMetadata("PackageVersion"))))
                    .ToList(),
            };
            result = KitCompiler.Compile(ManifestFile, BundleDirectory, CompilerVersion, ProjectFile, diagnostics, DateTimeOffset.UtcNow, UserSecretsId, references);
            if (result.Bundle is not null)
            {
                WriteOrDelete(PackedImportsFile, result.PackedImports.Count > 0 ? PackedImports.Write(result.PackedImports) : null);
                WriteOrDelete(LicenseFile, result.Bundle.Kit.License);
            }
        }
        catch (IOException e)
        {
            Log.LogError(null, DiagnosticCodes.BundleWriteFailed, null, Link(DiagnosticCodes.BundleWriteFailed), ManifestFile, 0, 0, 0, 0,
                $"Writing the kit bundle to '{BundleDirectory}' failed: {e.Message}; check that the folder is writable.");
            return false;
        }
        catch (UnauthorizedAccessException e)
        {
            Log.LogError(null, DiagnosticCodes.BundleWriteFailed, null, Link(DiagnosticCodes.BundleWriteFailed), ManifestFile, 0, 0, 0, 0,
                $"Writing the kit bundle to '{BundleDirectory}' failed: {e.Message}; check that the folder is writable.");
            return false;
        }

        foreach (var d in diagnostics.Items)
        {
            if (d.IsError)
            {
                Log.LogError(null, d.Code, null, Link(d.Code), d.File, d.Line, d.Column, 0, 0, d.Message);
            }
            else
            {
                Log.LogWarning(null, d.Code, null, Link(d.Code), d.File, d.Line, d.Column, 0, 0, d.Message);
            }
        }
        if (result.Bundle is null)
        {
            return false;
        }

        foreach (var file in result.Written)
        {
            Log.LogMessage(MessageImportance.Low, "CapaKit: wrote {0}", file);
        }
        foreach (var file in result.Deleted)
        {
            Log.LogMessage(MessageImportance.Low, "CapaKit: deleted stale {0}", file);
        }
        Log.LogMessage(MessageImportance.Normal, "CapaKit: kit '{0}' compiled to {1} ({2} files, {3} changed)",
            result.Bundle.Kit.Name, BundleDirectory, result.Files.Count, result.Written.Count);
        BundleFiles = result.Files.Select(f => (ITaskItem)new TaskItem(f)).ToArray();
        InputFiles = result.Inputs.Distinct(StringComparer.Ordinal).Select(f => (ITaskItem)new TaskItem(f)).ToArray();
        return !Log.HasLoggedErrors;
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    /// <summary>Writes the file only when its content changes, so the pack and incremental checks see stable times.</summary>
    private static void WriteOrDelete(string? file, string? content)
    {
        if (string.IsNullOrEmpty(file))
        {
            return;
        }
        if (content is null)
        {
            File.Delete(file);
        }
        else if (!File.Exists(file) || File.ReadAllText(file) != content)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
            File.WriteAllText(file, content);
        }
    }

    private string Link(string code) => HelpLinkBase.Length == 0 ? "" : HelpLinkBase + code.ToLowerInvariant();
}
