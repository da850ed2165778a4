using System.CommandLine;
using System.Text.Json.Nodes;
using CapaKit.Tool.Agents;
using CapaKit.Tool.Output;

namespace CapaKit.Tool.Commands;

/// <summary><c>dotnet capakit agents-md print</c> and <c>dotnet capakit agent init</c>: set a coding agent up to use CapaKit.</summary>
public static class AgentsCommand
{
    public static Command CreateAgentsMd()
    {
        var print = new Command("print", "Print (stdout) a Markdown section for AGENTS.md telling coding agents to run workload commands through CapaKit.");
        print.SetAction(_ =>
        {
            Console.Out.WriteLine(AgentsMarkdown.Section);
            return ExitCodes.Ok;
        });
        return new Command("agents-md", "Guidance for coding agents, for the project's AGENTS.md.") { print };
    }

    public static Command CreateAgent()
    {
        var agent = new Option<string[]>("--agent")
        {
            Description = "Which agent to configure: claude (.mcp.json), codex (.codex/config.toml), cursor (.cursor/mcp.json), vscode (.vscode/mcp.json). Repeatable; default: all.",
            AllowMultipleArgumentsPerToken = false,
        };
        agent.AcceptOnlyFromAmong([.. AgentConfigWriter.Agents]);
        var projectRoot = new Option<string?>("--project-root") { Description = "Where the agent configuration goes (default: the current folder)." };
        var http = new Option<bool>("--http")
        {
            Description = "Configure the HTTP server (`dotnet capakit mcp --http --port N`, started in the project root) with its token, instead of the stdio one.",
        };
        var port = new Option<int?>("--port") { Description = "With --http: the port the server listens on (required)." };
        var init = new Command("init", "Configure coding agents to use `dotnet capakit mcp`, merging into their existing MCP configuration.")
        {
            agent, projectRoot, http, port,
        };
        init.SetAction(async parse =>
        {
            var output = ConsoleOutput.From(parse);
            return await CommandRunner.RunAsync(output, () =>
            {
                var root = Path.GetFullPath(parse.GetValue(projectRoot) ?? ".", Environment.CurrentDirectory);
                if (!Directory.Exists(root))
                {
                    throw new CapaKitException(ExitCodes.Usage, $"{root} does not exist; pass an existing folder to --project-root.");
                }
                var endpoint = parse.GetValue(http) ? HttpEndpoint(root, parse.GetValue(port)) : null;
                if (endpoint is null && parse.GetValue(port) is not null)
                {
                    throw new CapaKitException(ExitCodes.Usage, "CAPA0533: --port only applies to --http; add --http or drop --port.");
                }
                var written = AgentConfigWriter.Write(root, parse.GetValue(agent) ?? [], endpoint);
                if (output.Json)
                {
                    output.WriteJson(new JsonArray([.. written.Select(f => (JsonNode)new JsonObject
                    {
                        ["agent"] = f.Agent,
                        ["path"] = Path.Combine(root, f.RelativePath),
                    })]));
                }
                else
                {
                    foreach (var file in written)
                    {
                        Console.Out.WriteLine($"wrote {Path.Combine(root, file.RelativePath)} ({file.Description})");
                    }
                }
                if (endpoint is not null)
                {
                    output.Info($"These files now hold the MCP server's token (mode 0600): keep them out of version control. Start the server in {root} with: dotnet capakit mcp --http --port {endpoint.Url.Port}");
                }
                return Task.FromResult(ExitCodes.Ok);
            });
        });
        return new Command("agent", "Set coding agents up to use CapaKit.") { init };
    }

    /// <summary>The URL and token of the HTTP server started in <paramref name="root"/>; its token is made here when it has none yet.</summary>
    private static McpHttpEndpoint HttpEndpoint(string root, int? port)
    {
        if (port is not { } value || value is < 1 or > System.Net.IPEndPoint.MaxPort)
        {
            throw new CapaKitException(ExitCodes.Usage,
                "CAPA0533: agent init --http needs --port N (1-65535), the port `dotnet capakit mcp --http --port N` will listen on; add it.");
        }
        var token = new McpTokenStore().GetOrCreate(root, renew: false);
        if (token.IsNew)
        {
            Console.Error.WriteLine($"New MCP server token for {root}, stored in {token.FilePath}: {token.Value}");
        }
        return new McpHttpEndpoint(new Uri($"http://127.0.0.1:{value}{CapaKitMcpHttpServer.Path}"), token.Value);
    }
}
