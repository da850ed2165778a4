using System.CommandLine;

namespace CapaKit.Tool.Commands;

/// <summary>The `dotnet capakit` command tree.</summary>
public static class CapaKitCli
{
    public static async Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("CapaKit runs the workloads of a Kit as single-use sandboxed processes.")
        {
            ExecCommand.Create(),
            DoctorCommand.Create(),
            BuildCommand.Create(),
            SecretsCommand.Create(),
            UpCommand.Create(),
            SearchCommand.Create(),
            DownCommand.Create(),
            PsCommand.Create(),
            TestCommand.Create(),
            LogsCommand.Create(),
            McpCommand.Create(),
            AgentsCommand.CreateAgentsMd(),
            AgentsCommand.CreateAgent(),
        };
        root.Options.Add(CommonOptions.Format);
        // The commands own SIGINT/SIGTERM: exec forwards them to the sandboxed command, up stops the Kit in order.
        // System.CommandLine's own handler would cancel the action's token and race with that.
        return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
    }
}
