using CapaKit.Tasks.Compilation;
using CapaKit.Tasks.Diagnostics;
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

    /// <summary>Prefix of the help link of each CAPA code (the code's anchor is appended).</summary>
    public string HelpLinkBase { get; set; } = "";

    /// <summary>Every file of the bundle, for FileWrites and the next build's completeness check.</summary>
    [Output]
    public ITaskItem[] BundleFiles { get; private set; } = [];

    public override bool Execute()
    {
        var diagnostics = new DiagnosticBag();
        CompileResult result;
        try
        {
            result = KitCompiler.Compile(ManifestFile, BundleDirectory, CompilerVersion, ProjectFile, diagnostics, DateTimeOffset.UtcNow, UserSecretsId);
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
        return !Log.HasLoggedErrors;
    }

    private string Link(string code) => HelpLinkBase.Length == 0 ? "" : HelpLinkBase + code.ToLowerInvariant();
}
