using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using CapaKit.Bundle;
using CapaKit.Tool.Kits;
using CapaKit.Tool.Output;
using CapaKit.Tool.Runtime;
using CapaKit.Tool.Testing;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace CapaKit.Tool.Commands;

/// <summary><c>dotnet capakit test [kit]</c>: run the Kit's capability-test.yml against the running Kit (starting it when it is not).</summary>
public static class TestCommand
{
    private static readonly Argument<string?> KitArgument = new("kit") { Description = "The Kit: a .kitproj or its folder (default: the current folder).", Arity = ArgumentArity.ZeroOrOne };
    private static readonly Option<string?> Results = new("--results") { Description = "Folder for the JSON and TRX results (default: TestResults next to the Kit)." };

    public static Command Create()
    {
        var test = new Command("test", "Run the Kit's own tests (capability-test.yml): MCP tool calls through the gateway and commands in workload sandboxes.")
        {
            KitArgument, CommonOptions.Kit, CommonOptions.Options, CommonOptions.Mounts, Results,
        };
        test.SetAction(async (parse, ct) =>
        {
            var output = ConsoleOutput.From(parse);
            return await CommandRunner.RunAsync(output, async () =>
            {
                var kit = KitProject.Locate(parse.GetValue(KitArgument) ?? parse.GetValue(CommonOptions.Kit), Environment.CurrentDirectory);
                var bundle = await output.StatusAsync("Checking the Kit", status => KitBuilder.EnsureBuiltAsync(kit, status, ct));
                var tests = BundleFormat.ReadTests(kit.BundleDirectory);
                if (tests.Tests.Count == 0)
                {
                    throw new CapaKitException(ExitCodes.Usage, "This Kit has no tests; add a capability-test.yml next to capability.yml.");
                }
                var options = CommonOptions.ParsePairs(parse.GetValue(CommonOptions.Options), "--option");
                var mounts = CommonOptions.ParsePairs(parse.GetValue(CommonOptions.Mounts), "--mount");

                // Use the running Kit, or bring it up for the duration of the tests.
                var paths = new InstancePaths(kit);
                var running = InstanceState.Read(paths.StateFile);
                KitSupervisor? ownSupervisor = null;
                using var loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Warning));
                FileStream? instanceLock = null;
                Uri gateway;
                if (running is { Status: "ready", GatewayUrl: { } url } && running.IsAlive())
                {
                    gateway = new Uri(url);
                }
                else
                {
                    paths.Create();
                    try
                    {
                        instanceLock = new FileStream(paths.LockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                    }
                    catch (IOException)
                    {
                        throw new CapaKitException(ExitCodes.Usage, "The Kit is starting or stopping in another process; wait for it or run: dotnet capakit down.");
                    }
                    ownSupervisor = new KitSupervisor(new UpRequest { Kit = kit, Bundle = bundle, Options = options, Mounts = mounts }, paths, output, loggers);
                    await output.StatusAsync($"Starting {bundle.Kit.Name}", async status => { await ownSupervisor.StartAsync(status, ct); return 0; });
                    gateway = new Uri(ownSupervisor.State.GatewayUrl!);
                }

                var started = DateTimeOffset.UtcNow;
                var outcomes = new List<KitTestOutcome>();
                try
                {
                    var runner = new KitTestRunner(kit, bundle, gateway, output, options, mounts);
                    foreach (var test in tests.Tests)
                    {
                        var outcome = await output.StatusAsync($"{test.Id}", _ => runner.RunAsync(test, ct));
                        outcomes.Add(outcome);
                        if (!output.Json)
                        {
                            output.Info($"{(outcome.Passed ? "passed" : "FAILED")}  {test.Id} ({outcome.Duration.TotalMilliseconds:0} ms)");
                            foreach (var failure in outcome.Failures)
                            {
                                output.Info("        " + failure);
                            }
                            foreach (var path in test.VerboseOutput)
                            {
                                output.Info($"        $.{path} = {ValidationEvaluator.Describe(ValidationEvaluator.Navigate(outcome.Result, path))}");
                            }
                        }
                    }
                }
                finally
                {
                    if (ownSupervisor is not null)
                    {
                        await ownSupervisor.DisposeAsync();
                        File.Delete(paths.StateFile);
                    }
                    instanceLock?.Dispose();
                }

                var folder = parse.GetValue(Results) is { } given ? Path.GetFullPath(given) : Path.Combine(kit.Directory, "TestResults");
                Directory.CreateDirectory(folder);
                var json = new JsonObject
                {
                    ["kit"] = bundle.Kit.Name,
                    ["passed"] = outcomes.Count(o => o.Passed),
                    ["failed"] = outcomes.Count(o => !o.Passed),
                    ["tests"] = new JsonArray([.. outcomes.Select(o => (JsonNode)new JsonObject
                    {
                        ["id"] = o.Test.Id,
                        ["kind"] = o.Test.Kind,
                        ["passed"] = o.Passed,
                        ["durationMs"] = (long)o.Duration.TotalMilliseconds,
                        ["failures"] = new JsonArray([.. o.Failures.Select(f => (JsonNode)f)]),
                        ["result"] = o.Result?.DeepClone(),
                    })]),
                };
                File.WriteAllText(Path.Combine(folder, $"capakit-{bundle.Kit.Name}.json"), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
                TrxWriter.Write(Path.Combine(folder, $"capakit-{bundle.Kit.Name}.trx"), bundle.Kit.Name,
                    outcomes.Select(o => (o.Test.Id, o.Passed, o.Duration, string.Join("\n", o.Failures))).ToList(), started);
                if (output.Json)
                {
                    output.WriteJson(json);
                }
                else
                {
                    output.Info($"{outcomes.Count(o => o.Passed)} passed, {outcomes.Count(o => !o.Passed)} failed (results in {folder})");
                }
                return outcomes.All(o => o.Passed) ? ExitCodes.Ok : ExitCodes.TestsFailed;
            });
        });
        return test;
    }
}
