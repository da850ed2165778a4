using System.CommandLine;
using CapaKit.Tool.Agents;

namespace CapaKit.Tool.Commands;

/// <summary><c>dotnet capakit mcp</c>: an MCP server over stdio that lets coding agents run Kit commands in CapaKit's sandboxes.</summary>
public static class McpCommand
{
    public static Command Create()
    {
        var mcp = new Command("mcp", "Serve CapaKit's tools (kits_list, exec, up, down, ps, logs, test) to a coding agent over MCP on stdio.");
        mcp.SetAction((_, ct) => CapaKitMcpServer.RunAsync(ct));
        return mcp;
    }
}
