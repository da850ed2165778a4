using System.Security.Cryptography;
using System.Text;

namespace CapaKit.Tool.Mesh;

/// <summary>
/// Where the mesh's unix sockets live. File names are short hashes of the workload names, so a socket path's length
/// depends only on the runtime folder, never on the names (each may be 63 characters long).
/// </summary>
/// <remarks>
/// <c>&lt;runtime&gt;/c&lt;hash(source,target)&gt;.sock</c>: the connection socket a source uses to reach a target, bound
/// into the source's sandbox at the same path. <c>&lt;runtime&gt;/i/&lt;hash(target)&gt;.sock</c>: a target's inbound
/// proxy, reached only by the runtime's own outbound proxies and never bound into a sandbox.
/// </remarks>
public static class MeshPaths
{
    /// <summary>Sub-folder (0700) of the runtime folder holding the inbound proxies' sockets.</summary>
    public const string InboundFolderName = "i";

    private const string SocketExtension = ".sock";

    // 16 hex digits of SHA-256 (64 bits): no collision among a Kit's workloads in practice, and the mesh checks anyway.
    private const int HashLength = 16;

    /// <summary>Longest usable socket path in bytes: sockaddr_un.sun_path holds 108 bytes on Linux (104 on macOS), NUL included.</summary>
    public static int MaxSocketPathBytes => OperatingSystem.IsMacOS() ? 103 : 107;

    /// <summary>The socket <paramref name="source"/> connects to in order to reach <paramref name="target"/>.</summary>
    public static string ConnectionSocket(string runtimeDirectory, string source, string target) =>
        Checked(Path.Combine(Path.GetFullPath(runtimeDirectory), "c" + Hash(source + "\0" + target) + SocketExtension));

    /// <summary>The socket of <paramref name="target"/>'s inbound proxy (the TLS server).</summary>
    public static string InboundSocket(string runtimeDirectory, string target) =>
        Checked(Path.Combine(InboundFolder(runtimeDirectory), Hash(target) + SocketExtension));

    public static string InboundFolder(string runtimeDirectory) =>
        Path.Combine(Path.GetFullPath(runtimeDirectory), InboundFolderName);

    /// <summary>Returns <paramref name="socketPath"/> when it fits in a unix socket address; otherwise throws saying what to shorten.</summary>
    public static string Checked(string socketPath)
    {
        var length = Encoding.UTF8.GetByteCount(socketPath);
        if (length > MaxSocketPathBytes)
        {
            throw new ArgumentException(
                $"The mesh socket path '{socketPath}' is {length} bytes, over the {MaxSocketPathBytes}-byte limit of unix socket paths; " +
                "use a shorter runtime folder (set XDG_RUNTIME_DIR to a short path).",
                nameof(socketPath));
        }
        return socketPath;
    }

    private static string Hash(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..HashLength];
}
