using System.Text.Json;
using System.Text.Json.Nodes;

namespace CapaKit.Tool.Agents;

/// <summary>One agent's MCP client configuration file, relative to the project root.</summary>
public sealed record AgentConfigFile(string Agent, string RelativePath, string Description);

/// <summary>Where an agent reaches `dotnet capakit mcp --http`, and the header that lets it in.</summary>
public sealed record McpHttpEndpoint(Uri Url, string Token)
{
    public string AuthorizationHeader => "Bearer " + Token;
}

/// <summary>
/// Writes the `capakit` MCP server into the agents' project configuration files, merging into what is there:
/// other servers and settings stay, only the `capakit` entry is added or replaced. For the HTTP transport each entry
/// carries the URL and an <c>Authorization</c> header; all four formats take headers (Claude Code's and Cursor's
/// <c>headers</c>, VS Code's <c>headers</c>, Codex's <c>http_headers</c>). A file holding the token is made 0600.
/// </summary>
public static class AgentConfigWriter
{
    public const string ServerName = "capakit";

    public static readonly IReadOnlyList<AgentConfigFile> Files =
    [
        new("claude", ".mcp.json", "Claude Code"),
        new("codex", Path.Combine(".codex", "config.toml"), "Codex"),
        new("cursor", Path.Combine(".cursor", "mcp.json"), "Cursor"),
        new("vscode", Path.Combine(".vscode", "mcp.json"), "VS Code"),
    ];

    public static IReadOnlyList<string> Agents => [.. Files.Select(f => f.Agent)];

    /// <summary>
    /// Writes the configuration of each of <paramref name="agents"/> (all when empty): the stdio server, or the HTTP one at
    /// <paramref name="http"/>. Returns the files written.
    /// </summary>
    public static List<AgentConfigFile> Write(string projectRoot, IReadOnlyCollection<string> agents, McpHttpEndpoint? http = null)
    {
        var written = new List<AgentConfigFile>();
        foreach (var file in Files.Where(f => agents.Count == 0 || agents.Contains(f.Agent)))
        {
            var path = Path.Combine(projectRoot, file.RelativePath);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var existing = File.Exists(path) ? File.ReadAllText(path) : null;
            var text = file.Agent switch
            {
                "codex" => MergeToml(existing, http is null ? StdioToml() : HttpToml(http)),
                "vscode" => MergeJson(existing, path, "servers", http is null
                    ? new JsonObject { ["type"] = "stdio", ["command"] = "dotnet", ["args"] = Args() }
                    : new JsonObject { ["type"] = "http", ["url"] = http.Url.ToString(), ["headers"] = Headers(http) }),
                "claude" => MergeJson(existing, path, "mcpServers", http is null
                    ? new JsonObject { ["command"] = "dotnet", ["args"] = Args() }
                    : new JsonObject { ["type"] = "http", ["url"] = http.Url.ToString(), ["headers"] = Headers(http) }),
                // Cursor tells a URL server from a command one by the url key.
                _ => MergeJson(existing, path, "mcpServers", http is null
                    ? new JsonObject { ["command"] = "dotnet", ["args"] = Args() }
                    : new JsonObject { ["url"] = http.Url.ToString(), ["headers"] = Headers(http) }),
            };
            if (http is not null)
            {
                // The token lets whoever reads it run builds on this machine: the file is its owner's alone.
                using (File.Open(path, new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.Write, UnixCreateMode = SecretFileMode }))
                {
                }
                File.SetUnixFileMode(path, SecretFileMode);
            }
            File.WriteAllText(path, text);
            written.Add(file);
        }
        return written;
    }

    private const UnixFileMode SecretFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private static JsonArray Args() => ["capakit", "mcp"];

    private static JsonObject Headers(McpHttpEndpoint http) => new() { ["Authorization"] = http.AuthorizationHeader };

    private static string[] StdioToml() => ["command = \"dotnet\"", "args = [\"capakit\", \"mcp\"]"];

    // The token and the URL hold no character a TOML basic string would need escaped (base64url, a loopback URL).
    private static string[] HttpToml(McpHttpEndpoint http) =>
        [$"url = \"{http.Url}\"", $"http_headers = {{ \"Authorization\" = \"{http.AuthorizationHeader}\" }}"];

    private static string MergeJson(string? existing, string path, string section, JsonObject server)
    {
        JsonObject root;
        try
        {
            // Comments and trailing commas are common in editor settings; they must not make us give up (or clobber).
            root = (string.IsNullOrWhiteSpace(existing) ? new JsonObject()
                : JsonNode.Parse(existing, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })) as JsonObject
                ?? throw new CapaKitException(ExitCodes.Usage, $"{path} is not a JSON object; fix or remove it and run agent init again.");
        }
        catch (JsonException e)
        {
            throw new CapaKitException(ExitCodes.Usage, $"{path} is not valid JSON ({e.Message}); fix it and run agent init again.");
        }
        if (root[section] is not JsonObject servers)
        {
            if (root[section] is not null)
            {
                throw new CapaKitException(ExitCodes.Usage, $"\"{section}\" in {path} is not an object; fix it and run agent init again.");
            }
            root[section] = servers = new JsonObject();
        }
        servers[ServerName] = server;
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    /// <summary>Replaces the [mcp_servers.capakit] table (up to the next table header) or appends it; every other line stays.</summary>
    private static string MergeToml(string? existing, string[] keys)
    {
        const string header = "[mcp_servers.capakit]";
        string[] table = [header, .. keys];
        var lines = (existing ?? "").Replace("\r\n", "\n").Split('\n').ToList();
        if (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }
        var start = lines.FindIndex(l => l.Trim() == header);
        if (start < 0)
        {
            if (lines.Count > 0 && lines[^1].Trim().Length > 0)
            {
                lines.Add("");
            }
            lines.AddRange(table);
        }
        else
        {
            var end = start + 1;
            while (end < lines.Count && !lines[end].TrimStart().StartsWith('['))
            {
                end++;
            }
            // Keep the blank line that separated the table from the next one.
            while (end > start + 1 && lines[end - 1].Trim().Length == 0)
            {
                end--;
            }
            lines.RemoveRange(start, end - start);
            lines.InsertRange(start, table);
        }
        return string.Join('\n', lines) + "\n";
    }
}
