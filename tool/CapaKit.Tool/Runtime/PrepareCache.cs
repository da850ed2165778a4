using System.Security.Cryptography;

namespace CapaKit.Tool.Runtime;

/// <summary>
/// Skips a workload's prepare phase when its dependency inputs are unchanged since the last success:
/// a hash of package.json, bun.lock (and the older bun.lockb), .npmrc and bunfig.toml, kept in the
/// workload's own .capakit folder.
/// </summary>
public static class PrepareCache
{
    private static readonly string[] Inputs = ["package.json", "bun.lock", "bun.lockb", ".npmrc", "bunfig.toml"];

    public static string Fingerprint(string workloadRoot, string command)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(System.Text.Encoding.UTF8.GetBytes(command + "\n"));
        foreach (var name in Inputs)
        {
            var path = Path.Combine(workloadRoot, name);
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(name + "\n"));
            if (File.Exists(path))
            {
                hash.AppendData(File.ReadAllBytes(path));
            }
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static string MarkerFile(string workloadRoot, string phase) => Path.Combine(workloadRoot, ".capakit", phase + ".done");

    public static bool IsCurrent(string workloadRoot, string phase, string command) =>
        File.Exists(MarkerFile(workloadRoot, phase))
        && File.ReadAllText(MarkerFile(workloadRoot, phase)).Trim() == Fingerprint(workloadRoot, command)
        && (phase != "prepare" || !File.Exists(Path.Combine(workloadRoot, "package.json")) || Directory.Exists(Path.Combine(workloadRoot, "node_modules")));

    public static void MarkDone(string workloadRoot, string phase, string command)
    {
        Directory.CreateDirectory(Path.Combine(workloadRoot, ".capakit"));
        File.WriteAllText(MarkerFile(workloadRoot, phase), Fingerprint(workloadRoot, command) + "\n");
    }
}
