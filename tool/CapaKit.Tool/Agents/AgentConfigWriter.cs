using System.Text.Json;
using System.Text.Json.Nodes;

namespace CapaKit.Tool.Agents;

/// <summary>One agent's MCP client configuration file, relative to the project root.</summary>
public sealed record AgentConfigFile(string Agent, string RelativePath, string Description);

/// <summary>
/// Writes the `capakit` MCP server into the agents' project configuration files, merging into what is there:
/// other servers and settings stay, only the `capakit` entry is added or replaced.
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

    /// <summary>Writes the configuration of each of <paramref name="agents"/> (all when empty); returns the files written.</summary>
    public static List<AgentConfigFile> Write(string projectRoot, IReadOnlyCollection<string> agents)
    {
        var written = new List<AgentConfigFile>();
        foreach (var file in Files.Where(f => agents.Count == 0 || agents.Contains(f.Agent)))
        {
            var path = Path.Combine(projectRoot, file.RelativePath);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var existing = File.Exists(path) ? File.ReadAllText(path) : null;
            var text = file.Agent switch
            {
                "codex" => MergeToml(existing),
                "vscode" => MergeJson(existing, path, "servers", new JsonObject { ["type"] = "stdio", ["command"] = "dotnet", ["args"] = Args() }),
                _ => MergeJson(existing, path, "mcpServers", new JsonObject { ["command"] = "dotnet", ["args"] = Args() }),
            };
            File.WriteAllText(path, text);
            written.Add(file);
        }
        return written;
    }

    private static JsonArray Args() => ["capakit", "mcp"];

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
    private static string MergeToml(string? existing)
    {
        const string header = "[mcp_servers.capakit]";
        var table = new[] { header, "command = \"dotnet\"", "args = [\"capakit\", \"mcp\"]" };
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
