using System.CommandLine;
using CapaKit.Tool.Agents;
using CapaKit.Tool.Output;

namespace CapaKit.Tool.Commands;

/// <summary><c>dotnet capakit mcp [--http [--port N]]</c>: an MCP server that lets coding agents run Kit commands in CapaKit's sandboxes.</summary>
public static class McpCommand
{
    private static readonly Option<bool> Http = new("--http")
    {
        Description = "Serve over MCP streamable HTTP on 127.0.0.1 instead of stdio; the URL is printed to stderr.",
    };

    private static readonly Option<int?> Port = new("--port") { Description = "With --http: the port on 127.0.0.1 (default: any free port)." };

    public static Command Create()
    {
        var mcp = new Command("mcp", "Serve CapaKit's tools (kits_list, exec, up, down, ps, logs, test) to a coding agent over MCP on stdio, or on a local URL with --http.")
        {
            Http, Port,
        };
        mcp.SetAction((parse, ct) =>
        {
            var output = ConsoleOutput.From(parse);
            if (!parse.GetValue(Http))
            {
                if (parse.GetValue(Port) is not null)
                {
                    output.Error("--port only applies to the HTTP server; add --http or drop --port.");
                    return Task.FromResult(ExitCodes.Usage);
                }
                return CapaKitMcpServer.RunAsync(ct);
            }
            return CommandRunner.RunAsync(output, () => CapaKitMcpHttpServer.RunAsync(parse.GetValue(Port) ?? 0, output, ct));
        });
        return mcp;
    }
}
