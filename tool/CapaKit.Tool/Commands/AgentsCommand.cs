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
        var init = new Command("init", "Configure coding agents to use `dotnet capakit mcp`, merging into their existing MCP configuration.")
        {
            agent, projectRoot,
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
                var written = AgentConfigWriter.Write(root, parse.GetValue(agent) ?? []);
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
                return Task.FromResult(ExitCodes.Ok);
            });
        });
        return new Command("agent", "Set coding agents up to use CapaKit.") { init };
    }
}
