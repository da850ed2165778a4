using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace CapaKit.Tool.Agents;

/// <summary>An `mcp --http` server's token, where it is kept, and whether it was made just now (then it is shown once).</summary>
public sealed record McpToken(string Value, string FilePath, bool IsNew);

/// <summary>
/// The secrets of `mcp --http`: one random 256-bit token per folder a server is started in, kept across restarts (the
/// agents' configurations carry it) in a 0600 file in a 0700 per-user folder, <c>$XDG_STATE_HOME/capakit/mcp-http</c>
/// (else <c>~/.local/state/…</c>: state that should outlive a reboot, which <c>XDG_RUNTIME_DIR</c> does not). A folder
/// or file that is a link or another user's is refused; a token file others could read is replaced.
/// </summary>
public sealed partial class McpTokenStore
{
    private const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode FileMode600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const int TokenBytes = 32;

    public McpTokenStore(string? folder = null) => Folder = folder ?? DefaultFolder;

    /// <summary>The folder holding one <c>&lt;hash&gt;.token</c> file per server folder.</summary>
    public string Folder { get; }

    public static string DefaultFolder
    {
        get
        {
            // The XDG spec says to ignore a relative XDG_STATE_HOME.
            var xdg = Environment.GetEnvironmentVariable("XDG_STATE_HOME");
            var state = xdg is { Length: > 0 } && Path.IsPathRooted(xdg)
                ? xdg
                : Path.Combine(Environment.GetEnvironmentVariable("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state");
            return Path.Combine(state, "capakit", "mcp-http");
        }
    }

    /// <summary>The token file of a server started in <paramref name="serverFolder"/> (named by a hash of its canonical path).</summary>
    public string TokenFile(string serverFolder) =>
        Path.Combine(Folder, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(HostFiles.Canonical(serverFolder))))[..32] + ".token");

    /// <summary>The folder's token, made when there is none (or a new one when <paramref name="renew"/>).</summary>
    public McpToken GetOrCreate(string serverFolder, bool renew)
    {
        EnsurePrivateFolder();
        var path = TokenFile(serverFolder);
        if (!renew && TryRead(path) is { } existing)
        {
            return new McpToken(existing, path, IsNew: false);
        }
        var token = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(TokenBytes));
        var temp = Path.Combine(Folder, $".{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = FileMode600 }))
            {
                stream.Write(Encoding.ASCII.GetBytes(token + "\n"));
                stream.Flush(flushToDisk: true);
            }
            // Rename: a reader sees the old token or the new one, never half a file.
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
        return new McpToken(token, path, IsNew: true);
    }

    /// <summary>The token in <paramref name="path"/>, or null when there is none or it may have been read by others (mode wider than 0600).</summary>
    private static string? TryRead(string path)
    {
        if (HostFiles.Status(path) is not { } status)
        {
            return null;
        }
        if (status.IsLink || status.IsDirectory || status.Owner != HostFiles.EffectiveUser)
        {
            throw Unsafe(path, status.IsLink ? "a symbolic link" : status.IsDirectory ? "a folder" : "another user's file");
        }
        if ((status.Mode & ~FileMode600) != 0)
        {
            return null; // others could read it: a new token replaces it
        }
        var token = File.ReadAllText(path).Trim();
        return TokenShape().IsMatch(token) ? token : null;
    }

    /// <summary>Creates the folder 0700, or checks the existing one is a real folder of ours and takes group and other access away.</summary>
    private void EnsurePrivateFolder()
    {
        if (HostFiles.Status(Folder) is null)
        {
            // Every missing parent is created 0700 as well (capakit/ under the state folder).
            Directory.CreateDirectory(Folder, FolderMode);
        }
        var status = HostFiles.Status(Folder)!.Value;
        if (status.IsLink || !status.IsDirectory || status.Owner != HostFiles.EffectiveUser)
        {
            throw Unsafe(Folder, status.IsLink ? "a symbolic link" : !status.IsDirectory ? "not a folder" : "another user's folder");
        }
        if (status.Mode != FolderMode)
        {
            File.SetUnixFileMode(Folder, FolderMode);
        }
    }

    private static CapaKitException Unsafe(string path, string what) =>
        new(ExitCodes.Usage, $"CAPA0532: {path} is {what}, so it cannot hold the MCP server's token safely; remove it and run again.");

    [GeneratedRegex("^[A-Za-z0-9_-]{43}$")]
    private static partial Regex TokenShape();
}
