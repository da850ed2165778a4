using System.Text;

namespace CapaKit.Bundle;

/// <summary>
/// Names of the <c>sandbox-exec -D NAME=value</c> parameters a CapaKit Seatbelt profile reads. Per-run paths
/// only ever enter a profile through these, so one profile file serves every run of a workload phase.
/// </summary>
public static class SeatbeltParameters
{
    public const string WorkloadRoot = "WORKLOAD_ROOT";
    public const string TempDirectory = "TMPDIR";
    public const string Home = "HOME";
    public const string BunDirectory = "BUN_DIR";
    public const string IngressSocket = "INGRESS_SOCKET";
    public const string BridgeSocket = "BRIDGE_SOCKET";
    /// <summary>Only in phases with <c>registry</c> network.</summary>
    public const string EgressProxySocket = "EGRESS_PROXY_SOCKET";

    /// <summary><c>CONNECTION_&lt;NAME&gt;_SOCKET</c>: where this workload reaches the declared peer <paramref name="workload"/>.</summary>
    public static string ConnectionSocket(string workload) => $"CONNECTION_{Upper(workload)}_SOCKET";

    /// <summary><c>MOUNT_&lt;NAME&gt;</c>: the host folder the user bound to the declared mount <paramref name="mount"/>.</summary>
    public static string Mount(string mount) => $"MOUNT_{Upper(mount)}";

    // Manifest names are lowercase letters, digits, '-' and '_'; anything else also becomes '_' so a
    // parameter name is always a plain identifier.
    private static string Upper(string name)
    {
        var text = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            text.Append(char.IsAsciiLetterOrDigit(c) ? char.ToUpperInvariant(c) : '_');
        }
        return text.ToString();
    }
}
