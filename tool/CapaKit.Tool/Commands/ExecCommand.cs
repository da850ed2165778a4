using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using CapaKit.Bundle;
using CapaKit.Tool.Kits;
using CapaKit.Tool.Output;
using CapaKit.Tool.Sandbox;

namespace CapaKit.Tool.Commands;

/// <summary><c>dotnet capakit exec &lt;workload&gt; [--phase p] -- &lt;cmd...&gt;</c>: one command in a workload's sandbox.</summary>
public static class ExecCommand
{
    public static Command Create()
    {
        var workload = new Argument<string>("workload") { Description = "The workload whose sandbox runs the command." };
        var command = new Argument<string[]>("command")
        {
            Description = "The command and its arguments (after --). Default: the phase's own command.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var phase = new Option<string>("--phase")
        {
            Description = "Whose policy applies: prepare (installs; registry network), hydrate, or start.",
            DefaultValueFactory = _ => "start",
        };
        phase.AcceptOnlyFromAmong([.. BundleFormat.Phases]);
        var timeout = new Option<int?>("--timeout") { Description = "Stop the command after this many seconds (default: the phase's limit)." };

        var exec = new Command("exec", "Run a command (install, build, test, start) in a workload's sandbox. Exit code, stdout and stderr pass through.")
        {
            workload, command, phase, timeout, CommonOptions.Kit, CommonOptions.Options, CommonOptions.Mounts, CommonOptions.Format,
        };
        exec.SetAction(async (parse, ct) =>
        {
            var output = ConsoleOutput.From(parse);
            return await CommandRunner.RunAsync(output, async () =>
            {
                StartupTrace.Mark("exec parsed");
                var kit = KitProject.Locate(parse.GetValue(CommonOptions.Kit), Environment.CurrentDirectory);
                var bundle = await output.StatusAsync("Checking the Kit", status => KitBuilder.EnsureBuiltAsync(kit, status, ct));
                var target = bundle.FindWorkload(parse.GetValue(workload)!) is { } w
                    ? w
                    : throw new CapaKitException(ExitCodes.Usage,
                        $"The Kit has no workload '{parse.GetValue(workload)}'; its workloads are {string.Join(", ", bundle.Workloads.Keys)}.");
                StartupTrace.Mark("bundle read");
                var phaseName = parse.GetValue(phase)!;
                var argv = parse.GetValue(command) is { Length: > 0 } given
                    ? given
                    : target.Phases.TryGetValue(phaseName, out var p) ? [.. p.Argv] : throw new CapaKitException(ExitCodes.Usage, "Name the command to run after --.");

                var result = await WorkloadRunner.RunAsync(new WorkloadRunRequest
                {
                    Kit = kit,
                    Bundle = bundle,
                    Workload = target,
                    Phase = phaseName,
                    Argv = argv,
                    Options = CommonOptions.ParsePairs(parse.GetValue(CommonOptions.Options), "--option"),
                    Mounts = CommonOptions.ParsePairs(parse.GetValue(CommonOptions.Mounts), "--mount"),
                    Timeout = parse.GetValue(timeout) is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
                    Capture = output.Json,
                }, output, ct);

                if (output.Json)
                {
                    output.WriteJson(new JsonObject
                    {
                        ["workload"] = target.Name,
                        ["phase"] = phaseName,
                        ["command"] = new JsonArray([.. argv.Select(a => (JsonNode)a)]),
                        ["exitCode"] = result.ExitCode,
                        ["timedOut"] = result.TimedOut,
                        ["durationMs"] = (long)result.Duration.TotalMilliseconds,
                        ["stdout"] = result.StandardOutput,
                        ["stderr"] = result.StandardError,
                    });
                }
                else if (result.TimedOut)
                {
                    output.Error($"The command ran longer than its time limit and was stopped (exit code {ExitCodes.Timeout}).");
                }
                return result.ExitCode;
            });
        });
        return exec;
    }
}
