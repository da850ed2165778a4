using System.Security.Cryptography;
using System.Text;
using CapaKit.Tool.Sandbox;

namespace CapaKit.Tool.Runtime;

/// <summary>
/// Skips a workload's prepare (or hydrate) phase when its dependency inputs are unchanged since the last success:
/// a hash of the command and of package.json, bun.lock (and the older bun.lockb), .npmrc and bunfig.toml.
/// The inputs live in the workload root, which the sandbox writes, so they are read without following links and
/// with a size cap; the marker lives in the per-user cache, which no sandbox can see (a marker in the root could
/// be swapped for a link to a host file, which writing the next marker would overwrite).
/// </summary>
public static class PrepareCache
{
    private static readonly string[] Inputs = ["package.json", "bun.lock", "bun.lockb", ".npmrc", "bunfig.toml"];

    public static string Fingerprint(string workloadRoot, string command)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(command + "\n"));
        foreach (var name in Inputs)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(name + "\n"));
            if (SandboxWrittenFiles.TryReadAll(workloadRoot, name) is { } bytes)
            {
                hash.AppendData(bytes);
            }
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>The marker of one workload root's phase: keyed by the root's full path, so a moved or copied Kit prepares afresh.</summary>
    public static string MarkerFile(string workloadRoot, string phase)
    {
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFullPath(workloadRoot))))[..24];
        return Path.Combine(UserCache.Root, "phases", key, phase + ".done");
    }

    public static bool IsCurrent(string workloadRoot, string phase, string command)
    {
        var marker = MarkerFile(workloadRoot, phase);
        return File.Exists(marker)
            && File.ReadAllText(marker).Trim() == Fingerprint(workloadRoot, command)
            && (phase != "prepare"
                || SandboxWrittenFiles.TryReadAll(workloadRoot, "package.json") is null
                || Directory.Exists(Path.Combine(workloadRoot, "node_modules")));
    }

    public static void MarkDone(string workloadRoot, string phase, string command)
    {
        var marker = MarkerFile(workloadRoot, phase);
        UserCache.Folder("phases", Path.GetFileName(Path.GetDirectoryName(marker)!));
        File.WriteAllText(marker, Fingerprint(workloadRoot, command) + "\n");
    }
}
