using System.Reflection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace CapaKit.Tool.Agents;

/// <summary>`dotnet capakit mcp`: CapaKit's tools for coding agents, over stdio.</summary>
public static class CapaKitMcpServer
{
    public const string Instructions =
        "CapaKit runs every command of a Kit's workloads in a single-use sandbox. Run installs, builds and tests of a workload " +
        "with the exec tool (phase prepare for installs), never directly on the host. Start with kits_list to learn the workloads.";

    /// <summary>The tools, resolving every kitPath and mount through <paramref name="scope"/>.</summary>
    public static IEnumerable<McpServerTool> Tools(KitPathScope scope)
    {
        var tools = new CapaKitTools(scope);
        return typeof(CapaKitTools).GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => m.GetCustomAttribute<McpServerToolAttribute>() is not null)
            .Select(m => McpServerTool.Create(m, tools));
    }

    public static async Task<int> RunAsync(CancellationToken ct)
    {
        // stdout is the protocol: every log line goes to stderr.
        using var loggers = LoggerFactory.Create(b => b
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace)
            .SetMinimumLevel(LogLevel.Warning));
        var options = new McpServerOptions
        {
            ServerInfo = new Implementation { Name = "capakit", Version = typeof(CapaKitMcpServer).Assembly.GetName().Version?.ToString() ?? "0" },
            ServerInstructions = Instructions,
            ToolCollection = [],
        };
        // Not scoped: only the agent that started this server can reach its stdin, and that agent already acts as the
        // user (it may name Kits and folders anywhere, as the command line may); see KitPathScope.
        foreach (var tool in Tools(KitPathScope.Unrestricted))
        {
            options.ToolCollection.Add(tool);
        }
        await using var transport = new StdioServerTransport(options, loggers);
        // The transport holds the real stdout stream; anything else that writes Console.Out now lands on stderr.
        Console.SetOut(Console.Error);
        await using var server = McpServer.Create(transport, options, loggers);
        await server.RunAsync(ct);
        return ExitCodes.Ok;
    }
}
