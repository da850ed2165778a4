using Microsoft.Build.Framework;

namespace CapaKit.Tasks.Build;

/// <summary>
/// A Kit package carries its workload folders, which a workload's own commands write (a malicious npm postinstall
/// among them). Pack follows links and would pack what they point to: a planted <c>src/x.ts → ~/.ssh/id_rsa</c> would
/// publish the user's key. Every packed file, and every folder on its way below the project, must be no link (only under workloads/: the
/// manifest, tests and skills are the author's alone) (CAPA0195).
/// </summary>
public sealed class CheckKitPackFiles : Microsoft.Build.Utilities.Task
{
    public const string Code = "CAPA0195";

    [Required]
    public string ProjectDirectory { get; set; } = "";

    /// <summary>The files the pack will take (items with full paths).</summary>
    public ITaskItem[] Files { get; set; } = [];

    public string HelpLinkBase { get; set; } = "";

    public override bool Execute()
    {
        var root = Path.GetFullPath(ProjectDirectory).TrimEnd('/');
        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in Files)
        {
            var file = Path.GetFullPath(item.GetMetadata("FullPath") is { Length: > 0 } full ? full : item.ItemSpec);
            // Only the workload folders: the manifest, tests and skills are the author's, and a monorepo may link them.
            if (!file.StartsWith(root + "/workloads/", StringComparison.Ordinal))
            {
                continue;
            }
            var current = root;
            foreach (var part in file[(root.Length + 1)..].Split('/'))
            {
                current = Path.Combine(current, part);
                if (new FileInfo(current).LinkTarget is { } target)
                {
                    if (reported.Add(current))
                    {
                        Log.LogError(null, Code, null, HelpLinkBase.Length == 0 ? "" : HelpLinkBase + Code.ToLowerInvariant(), current, 0, 0, 0, 0,
                            $"{Path.GetRelativePath(root, current)} is a symbolic link (to {target}), and packing would put what it points to into the Kit package; replace it with the file itself or remove it.");
                    }
                    break;
                }
            }
        }
        return !Log.HasLoggedErrors;
    }
}
