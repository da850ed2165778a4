using System.Security.Cryptography;
using System.Text;
using CapaKit.Tool.Kits;
using CapaKit.Tool.Sandbox;

namespace CapaKit.Tool.Runtime;

/// <summary>
/// Where a running Kit keeps its state: one folder per Kit project under the per-user runtime directory.
/// Names are short on purpose: unix socket paths must stay under 108 bytes (104 on macOS) wherever the Kit lives
/// and however long its workload names are.
/// </summary>
public sealed class InstancePaths
{
    public InstancePaths(KitProject kit, string? userRoot = null)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(kit.ProjectFile)))[..10];
        Directory = Path.Combine(userRoot ?? RuntimeFolder.UserRoot(), "k-" + hash);
    }

    public string Directory { get; }
    public string StateFile => Path.Combine(Directory, "state.json");
    public string LockFile => Path.Combine(Directory, "supervisor.lock");
    public string LogsDirectory => Path.Combine(Directory, "logs");
    public string MeshDirectory => Path.Combine(Directory, "m");
    public string SupervisorLog => Path.Combine(LogsDirectory, "_capakit.log");

    public string LogFile(string workload) => Path.Combine(LogsDirectory, workload + ".log");

    /// <summary>The folder bound into a workload's sandbox for its ingress and bridge sockets (by start-order index, not name, to stay short).</summary>
    public string SocketDirectory(int index) => Path.Combine(Directory, "w" + index);

    public string IngressSocket(int index) => Path.Combine(SocketDirectory(index), "in.sock");

    public string BridgeSocket(int index) => Path.Combine(SocketDirectory(index), "br.sock");

    public void Create()
    {
        foreach (var dir in new[] { Directory, LogsDirectory, MeshDirectory })
        {
            System.IO.Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
