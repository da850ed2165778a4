namespace CapaKit.Tool.Sandbox.Linux;

/// <summary>
/// The /etc/passwd and /etc/group a sandbox sees: the sandbox user (uid and gid <see cref="LinuxSandboxLauncher.SandboxUid"/>,
/// home = the sandbox's HOME), root, and nobody for files of unmapped owners. Tools that look up the current user
/// (whoami, git, npm) need an entry; the host's files would list every account on the machine.
/// </summary>
internal static class SandboxUserDatabase
{
    public const string UserName = "capakit";

    /// <summary>Writes <c>passwd</c> and <c>group</c> into the run's own folder and returns their paths.</summary>
    public static (string Passwd, string Group) Write(string runtimeDirectory, string home)
    {
        var passwd = Path.Combine(runtimeDirectory, "passwd");
        var group = Path.Combine(runtimeDirectory, "group");
        File.WriteAllText(passwd, Passwd(home));
        File.WriteAllText(group, Group());
        var readable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        File.SetUnixFileMode(passwd, readable);
        File.SetUnixFileMode(group, readable);
        return (passwd, group);
    }

    public static string Passwd(string home)
    {
        var id = LinuxSandboxLauncher.SandboxUid;
        // A field may hold neither ':' nor a line break; such a home (a rare folder name) is left out rather than split the file.
        var safeHome = home.Length > 0 && home.IndexOfAny([':', '\n', '\r']) < 0 ? home : "/";
        return $"""
            root:x:0:0:root:/root:/usr/sbin/nologin
            {UserName}:x:{id}:{id}:CapaKit sandbox:{safeHome}:/bin/sh
            nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin

            """;
    }

    public static string Group()
    {
        var id = LinuxSandboxLauncher.SandboxUid;
        return $"""
            root:x:0:
            {UserName}:x:{id}:
            nogroup:x:65534:

            """;
    }
}
