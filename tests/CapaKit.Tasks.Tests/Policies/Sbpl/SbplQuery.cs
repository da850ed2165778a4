namespace CapaKit.Tasks.Tests.Policies.Sbpl;

/// <summary>One end of a network request: an IP endpoint or a unix socket path.</summary>
public abstract record SbplEndpoint;

/// <summary>An IP endpoint; <see cref="Port"/> null means an ephemeral port the caller did not choose.</summary>
public sealed record SbplIpEndpoint(string Host, int? Port) : SbplEndpoint
{
    public bool IsLoopback => Host is "localhost" or "127.0.0.1" or "::1";
}

public sealed record SbplUnixEndpoint(string Path) : SbplEndpoint;

/// <summary>
/// What the kernel asks Seatbelt: an operation and the facts filters look at. Paths are the resolved paths
/// the kernel checks (see <see cref="MacPath.Resolve"/>).
/// </summary>
public sealed record SbplQuery(string Operation)
{
    public string? Path { get; init; }
    /// <summary>SBPL vnode type of <see cref="Path"/>: <c>REGULAR-FILE</c>, <c>DIRECTORY</c>, <c>SYMLINK</c>, <c>CHARACTER-DEVICE</c>.</summary>
    public string? VnodeType { get; init; }
    public SbplEndpoint? Local { get; init; }
    public SbplEndpoint? Remote { get; init; }
    public string? GlobalName { get; init; }
    public string? SysctlName { get; init; }
    public string? SocketDomain { get; init; }
    /// <summary>For signal and process-info: <c>self</c>, <c>same-sandbox</c> or <c>others</c>.</summary>
    public string? Target { get; init; }
}

/// <summary>macOS path resolution as far as Seatbelt sees it: '.' and '..' resolved, and the /tmp, /var, /etc links followed.</summary>
public static class MacPath
{
    private static readonly string[] LinkedTopFolders = ["tmp", "var", "etc"];

    /// <summary>The path the kernel checks; with <paramref name="followLast"/> false a final /tmp, /var or /etc names the link itself.</summary>
    public static string Resolve(string path, bool followLast = true)
    {
        if (!path.StartsWith('/'))
        {
            throw new ArgumentException($"Not an absolute path: {path}");
        }
        var parts = new List<string>();
        foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".")
            {
                continue;
            }
            if (part == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }
                continue;
            }
            parts.Add(part);
        }
        if (parts.Count > (followLast ? 0 : 1) && LinkedTopFolders.Contains(parts[0]))
        {
            parts.Insert(0, "private");
        }
        return "/" + string.Join('/', parts);
    }
}
