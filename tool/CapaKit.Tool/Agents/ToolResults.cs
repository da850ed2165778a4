using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;

namespace CapaKit.Tool.Agents;

/// <summary>MCP tool results: JSON as text (every client reads it) and as structured content (clients that can).</summary>
public static class ToolResults
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static CallToolResult Json(JsonNode node) => new()
    {
        Content = [new TextContentBlock { Text = node.ToJsonString(Indented) }],
        StructuredContent = node is JsonObject ? JsonSerializer.SerializeToElement(node) : null,
    };

    public static CallToolResult Text(string text) => new() { Content = [new TextContentBlock { Text = text }] };

    /// <summary>A failure the agent should read: isError true and CapaKit's one-sentence message.</summary>
    public static CallToolResult Error(string message) => new()
    {
        IsError = true,
        Content = [new TextContentBlock { Text = message }],
    };

    /// <summary>The JSON a child `--format json` run printed, or its error when it printed none.</summary>
    public static CallToolResult FromJsonRun(SelfProcessResult run)
    {
        var node = TryParse(run.StandardOutput);
        return node is null || (run.ExitCode != 0 && node is not JsonObject) ? Error(run.ErrorMessage) : Json(node);
    }

    public static JsonNode? TryParse(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
