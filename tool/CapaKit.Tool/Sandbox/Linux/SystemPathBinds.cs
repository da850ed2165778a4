namespace CapaKit.Tool.Sandbox.Linux;

/// <summary>
/// The bwrap arguments that bind a spec's read-only system paths, with the links in the CA folder kept working.
/// The CA folder is the reason: /etc/ssl/certs holds links into /usr/share/ca-certificates (Debian), is itself a link
/// to /etc/pki/tls/certs (Fedora), or points into /etc/ca-certificates (Arch). So a folder that is a link is bound at
/// its target and linked there (relative links inside then resolve as on the host), and each link in such a folder
/// whose target lies outside everything bound is bound at that target, that file or folder alone, read-only.
/// Nothing inside a never-bound path (/etc/ssl/private) is bound, whatever links to it.
/// </summary>
internal static class SystemPathBinds
{
    /// <summary>Keys and other secrets a link in a system folder must never bring into the sandbox.</summary>
    public static readonly IReadOnlyList<string> NeverBound = ["/etc/ssl/private"];

    /// <summary>
    /// The paths whose links the runtime follows: the CA folder only. Other /etc folders (alternatives) keep links
    /// into /usr, already bound; the rest of what they point to stays outside, as the rest of /etc does.
    /// </summary>
    public static bool IsCertificateFolder(string path) => path == "/etc/ssl/certs";

    /// <param name="paths">The spec's read-only system paths; missing ones are skipped.</param>
    /// <param name="followLinks">Which paths to bind with their links (the runtime: <see cref="IsCertificateFolder"/>).</param>
    /// <param name="neverBound">Host paths nothing may be bound from.</param>
    public static List<string> Arguments(IReadOnlyList<string> paths, Func<string, bool> followLinks, IReadOnlyList<string> neverBound)
    {
        var arguments = new List<string>();
        var bound = new List<string>();
        var followed = new List<string>();
        foreach (var path in paths)
        {
            if (Inside(path, neverBound))
            {
                continue;
            }
            if (followLinks(path) && Directory.Exists(path) && RealPath(path) is { } real && real != path)
            {
                if (Inside(real, neverBound))
                {
                    continue;
                }
                arguments.AddRange(["--ro-bind", real, real, "--symlink", real, path]);
                bound.Add(real);
                followed.Add(real);
                continue;
            }
            // bwrap follows a link given as the source, so a file link (/etc/localtime) binds its target's content.
            arguments.AddRange(["--ro-bind-try", path, path]);
            bound.Add(path);
            if (followLinks(path) && Directory.Exists(path))
            {
                followed.Add(path);
            }
        }
        foreach (var target in followed.SelectMany(LinkTargets).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            // A target at the top of the tree (a link to /home or /) would bring too much: its link stays dangling.
            if (!Inside(target, bound) && !Inside(target, neverBound) && target.Count(c => c == '/') >= 2)
            {
                arguments.AddRange(["--ro-bind", target, target]);
                bound.Add(target);
            }
        }
        return arguments;
    }

    /// <summary>The resolved targets of the links directly in <paramref name="folder"/>; dangling ones are left out.</summary>
    private static IEnumerable<string> LinkTargets(string folder)
    {
        foreach (var entry in new DirectoryInfo(folder).EnumerateFileSystemInfos())
        {
            if (entry.LinkTarget is not null && RealPath(entry.FullName) is { } target)
            {
                yield return target;
            }
        }
    }

    /// <summary>Whether <paramref name="path"/> is one of <paramref name="roots"/> or inside one.</summary>
    private static bool Inside(string path, IEnumerable<string> roots) =>
        roots.Any(r => path == r || path.StartsWith(r.TrimEnd('/') + "/", StringComparison.Ordinal));

    /// <summary>The path with every link on the way resolved (realpath(3)); null when it leads nowhere.</summary>
    private static string? RealPath(string path) => Native.RealPath(path);
}
