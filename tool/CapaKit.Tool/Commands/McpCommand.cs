using System.CommandLine;
using CapaKit.Tool.Agents;
using CapaKit.Tool.Output;

namespace CapaKit.Tool.Commands;

/// <summary><c>dotnet capakit mcp [--http [--port N] [--allow-path dir]… [--new-token]]</c>: an MCP server that lets coding agents run Kit commands in CapaKit's sandboxes.</summary>
public static class McpCommand
{
    private static readonly Option<bool> Http = new("--http")
    {
        Description = "Serve over MCP streamable HTTP on 127.0.0.1 instead of stdio; every request needs the folder's token (Authorization: Bearer).",
    };

    private static readonly Option<int?> Port = new("--port") { Description = "With --http: the port on 127.0.0.1 (default: any free port)." };

    private static readonly Option<string[]> AllowPath = new("--allow-path")
    {
        Description = "With --http: another folder tool calls may name as kitPath or mount (default: only the current folder). Repeatable.",
        AllowMultipleArgumentsPerToken = false,
    };

    private static readonly Option<bool> NewToken = new("--new-token") { Description = "With --http: replace this folder's token (agents configured with the old one must be set up again)." };

    public static Command Create()
    {
        var mcp = new Command("mcp", "Serve CapaKit's tools (kits_list, exec, up, down, ps, logs, test) to a coding agent over MCP on stdio, or on a local URL with --http.")
        {
            Http, Port, AllowPath, NewToken,
        };
        mcp.SetAction((parse, ct) =>
        {
            var output = ConsoleOutput.From(parse);
            if (!parse.GetValue(Http))
            {
                var httpOnly = new[] { (Port.Name, parse.GetValue(Port) is not null), (AllowPath.Name, parse.GetValue(AllowPath) is { Length: > 0 }), (NewToken.Name, parse.GetValue(NewToken)) };
                if (httpOnly.FirstOrDefault(o => o.Item2) is { Item2: true } given)
                {
                    output.Error($"CAPA0533: {given.Item1} only applies to the HTTP server; add --http or drop {given.Item1}.");
                    return Task.FromResult(ExitCodes.Usage);
                }
                return CapaKitMcpServer.RunAsync(ct);
            }
            var options = new McpHttpServerOptions(parse.GetValue(Port) ?? 0, parse.GetValue(AllowPath) ?? [], parse.GetValue(NewToken));
            return CommandRunner.RunAsync(output, () => CapaKitMcpHttpServer.RunAsync(options, output, ct));
        });
        return mcp;
    }
}
