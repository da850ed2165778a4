using System.CommandLine;
using System.Text.Json.Nodes;
using CapaKit.Tool.Output;
using CapaKit.Tool.Runtime;
using CapaKit.Tool.Sandbox;
using Spectre.Console;

namespace CapaKit.Tool.Commands;

/// <summary><c>dotnet capakit ps</c>: running Kits and their workloads (status, pid, restarts).</summary>
public static class PsCommand
{
    public static Command Create()
    {
        var ps = new Command("ps", "List running Kits and the state of each workload (status, pid, restarts, last exit code).");
        ps.SetAction(parse =>
        {
            var output = ConsoleOutput.From(parse);
            var states = Directory.Exists(RuntimeFolder.UserRoot())
                ? Directory.GetDirectories(RuntimeFolder.UserRoot(), "k-*")
                    .Select(d => InstanceState.Read(Path.Combine(d, "state.json")))
                    .Where(s => s is not null && s.IsAlive())
                    .Select(s => s!)
                    .OrderBy(s => s.Kit, StringComparer.Ordinal)
                    .ToList()
                : [];
            if (output.Json)
            {
                output.WriteJson(new JsonArray([.. states.Select(s => (JsonNode)UpCommand.StateJson(s))]));
                return ExitCodes.Ok;
            }
            if (states.Count == 0)
            {
                output.Info("No Kit is running.");
                return ExitCodes.Ok;
            }
            var table = new Table().AddColumns("kit", "workload", "status", "pid", "restarts", "last exit");
            foreach (var state in states)
            {
                foreach (var (name, workload) in state.Workloads)
                {
                    table.AddRow(Markup.Escape(state.Kit), Markup.Escape(name), Markup.Escape(workload.Status),
                        workload.Pid?.ToString() ?? "", workload.Restarts.ToString(), workload.LastExitCode?.ToString() ?? "");
                }
            }
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
            console.Write(table);
            foreach (var state in states)
            {
                Console.Out.WriteLine($"{state.Kit}: {state.Status}, gateway {state.GatewayUrl} (supervisor pid {state.SupervisorPid})");
            }
            return ExitCodes.Ok;
        });
        return ps;
    }
}
