using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using CapaKit.Tool.Agents;
using CapaKit.Tool.Kits;
using CapaKit.Tool.Output;
using CapaKit.Tool.Packages;
using CapaKit.Tool.Runtime;
using Microsoft.Extensions.Logging;

namespace CapaKit.Tool.Commands;

/// <summary><c>dotnet capakit up [kit] [-d]</c>: run a whole Kit until Ctrl-C (or in the background with -d).</summary>
public static class UpCommand
{
    private static readonly Option<bool> Detach = new("--detach", "-d") { Description = "Run in the background; manage it with ps, logs and down." };
    private static readonly Option<int?> Port = new("--port") { Description = "Gateway port on 127.0.0.1 (default: stable per Kit)." };
    private static readonly Option<bool> DetachedChild = new("--supervise-detached") { Hidden = true };
    private static readonly Option<string?> ProjectSkill = new("--project-skill")
    {
        Description = "While the Kit runs, install a skill for it (and the Kit's own skills) into this agent's project skills folder.",
    };
    private static readonly Option<string?> GlobalSkill = new("--global-skill")
    {
        Description = "While the Kit runs, install a skill for it (and the Kit's own skills) into this agent's user skills folder (~/.claude/skills or ~/.codex/skills).",
    };
    private static readonly Option<string?> ProjectRoot = new("--project-root") { Description = "The project whose skills folder --project-skill uses (default: the current folder)." };
    private static readonly Argument<string?> KitArgument = new("kit") { Description = "The Kit: a .kitproj or its folder (default: the current folder), or a Kit package as <PackageId>[@<version>].", Arity = ArgumentArity.ZeroOrOne };

    public static Command Create()
    {
        var up = new Command("up", "Run the whole Kit: install, start every workload in connection order, serve exposed endpoints on one local gateway.")
        {
            KitArgument, CommonOptions.Kit, CommonOptions.Source, CommonOptions.Options, CommonOptions.Mounts, Detach, Port, DetachedChild, ProjectSkill, GlobalSkill, ProjectRoot,
        };
        ProjectSkill.AcceptOnlyFromAmong([.. SkillInstaller.Agents]);
        GlobalSkill.AcceptOnlyFromAmong([.. SkillInstaller.Agents]);
        up.SetAction(async (parse, ct) =>
        {
            var output = ConsoleOutput.From(parse);
            return await CommandRunner.RunAsync(output, async () =>
            {
                var kitArgument = parse.GetValue(KitArgument);
                if (KitPackageSpec.TryParse(kitArgument, Environment.CurrentDirectory) is { } package)
                {
                    // The background supervisor is handed the project its parent prepared (--kit): it resolves nothing again.
                    kitArgument = parse.GetValue(DetachedChild)
                        ? null
                        : await KitPackageLauncher.PrepareAsync(package, parse.GetValue(CommonOptions.Source), Environment.CurrentDirectory, output, ct);
                }
                var kit = KitProject.Locate(kitArgument ?? parse.GetValue(CommonOptions.Kit), Environment.CurrentDirectory);
                var paths = new InstancePaths(kit);
                paths.Create();
                if (parse.GetValue(Detach))
                {
                    return await StartDetachedAsync(kit, paths, output, SkillDestinations(parse).Count > 0, ct);
                }
                return await SuperviseAsync(parse, kit, paths, output, parse.GetValue(DetachedChild), ct);
            });
        });
        return up;
    }

    private static async Task<int> SuperviseAsync(ParseResult parse, KitProject kit, InstancePaths paths, ConsoleOutput output, bool detachedChild, CancellationToken ct)
    {
        // One supervisor per Kit: the lock is released by the kernel when this process ends, however it ends.
        FileStream instanceLock;
        try
        {
            instanceLock = new FileStream(paths.LockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            var running = InstanceState.Read(paths.StateFile);
            throw new CapaKitException(ExitCodes.Usage,
                $"Kit '{running?.Kit ?? Path.GetFileNameWithoutExtension(kit.ProjectFile)}' is already running{(running?.GatewayUrl is { } url ? $" at {url}" : "")} (pid {running?.SupervisorPid}); stop it with: dotnet capakit down.");
        }
        using var _ = instanceLock;

        var bundle = await output.StatusAsync("Checking the Kit", status => KitBuilder.EnsureBuiltAsync(kit, status, ct));
        using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(detachedChild ? LogLevel.Information : LogLevel.Warning));
        var request = new UpRequest
        {
            Kit = kit,
            Bundle = bundle,
            Options = CommonOptions.ParsePairs(parse.GetValue(CommonOptions.Options), "--option"),
            Mounts = CommonOptions.ParsePairs(parse.GetValue(CommonOptions.Mounts), "--mount"),
            Port = parse.GetValue(Port),
        };

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
        await using var supervisor = new KitSupervisor(request, paths, output, loggers);
        var destinations = SkillDestinations(parse);
        List<string> skills = [];
        try
        {
            foreach (var destination in destinations)
            {
                SkillInstaller.Plan(bundle, destination); // refuse a conflicting folder before starting anything
            }
            await output.StatusAsync($"Starting {bundle.Kit.Name}", async status =>
            {
                // The spinner line shows every workload's state; the current step shows until the next change.
                Action<InstanceState> show = state => status(KitSupervisor.Summary(state));
                supervisor.Changed += show;
                try
                {
                    await supervisor.StartAsync(step => status($"{step}  [{KitSupervisor.Summary(supervisor.State)}]"), stop.Token);
                }
                finally
                {
                    supervisor.Changed -= show;
                }
                return 0;
            });
            if (destinations.Count > 0)
            {
                try
                {
                    foreach (var destination in destinations)
                    {
                        skills.AddRange(SkillInstaller.Install(bundle, kit.BundleDirectory, kit.ProjectFile, supervisor.Urls, destination,
                            new SkillInstaller.MergedEndpoints(supervisor.State.MergedMcpUrl, supervisor.State.OpenAiBaseUrl)));
                    }
                }
                catch
                {
                    SkillInstaller.Remove(skills); // all of them or none
                    throw;
                }
                supervisor.State.InstalledSkills = [.. skills];
                supervisor.State.Write(paths.StateFile);
            }
        }
        catch (CapaKitException e)
        {
            supervisor.State.Status = "failed";
            supervisor.State.Error = e.Message;
            supervisor.State.ExitCode = e.ExitCode;
            supervisor.State.Write(paths.StateFile);
            throw;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return 130;
        }

        if (output.Json)
        {
            output.WriteJson(StateJson(supervisor.State));
        }
        else
        {
            output.Info($"Kit '{bundle.Kit.Name}' is up ({bundle.Workloads.Count} workload{(bundle.Workloads.Count == 1 ? "" : "s")} ready).");
            foreach (var (path, url) in supervisor.Urls)
            {
                output.Info($"  {path,-12} {url}");
            }
            PrintProtocolUrls(output, supervisor.State);
            if (!detachedChild)
            {
                output.Info("Logs: dotnet capakit logs -f. Press Ctrl-C to stop.");
            }
        }
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            SkillInstaller.Remove(skills);
        }
        output.Info($"Stopping {bundle.Kit.Name}…");
        return ExitCodes.Ok;
    }

    /// <summary>Where --project-skill and --global-skill ask for skills (either, both or none).</summary>
    private static List<SkillDestination> SkillDestinations(ParseResult parse)
    {
        List<SkillDestination> destinations = [];
        if (parse.GetValue(ProjectSkill) is { } projectAgent)
        {
            destinations.Add(SkillDestination.Project(projectAgent, parse.GetValue(ProjectRoot) ?? Environment.CurrentDirectory));
        }
        if (parse.GetValue(GlobalSkill) is { } globalAgent)
        {
            destinations.Add(SkillDestination.Global(globalAgent));
        }
        return destinations;
    }

    /// <summary>Starts a supervisor in its own session, waits until it reports ready (or failed), and returns.</summary>
    private static async Task<int> StartDetachedAsync(KitProject kit, InstancePaths paths, ConsoleOutput output, bool installsSkills, CancellationToken ct)
    {
        if (InstanceState.Read(paths.StateFile) is { } existing && existing.IsAlive() && existing.Status is "ready" or "starting")
        {
            throw new CapaKitException(ExitCodes.Usage, $"Kit '{existing.Kit}' is already running (pid {existing.SupervisorPid}); stop it with: dotnet capakit down.");
        }
        File.Delete(paths.StateFile);
        var self = Environment.ProcessPath!;
        // sh redirects the supervisor's output to its log and setsid puts it in a session of its own, so it
        // outlives this shell and its terminal; it never writes to a pipe that closes when we exit.
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        foreach (var arg in new[] { "-c", "log=$1; shift; exec /usr/bin/setsid \"$@\" >>\"$log\" 2>&1 </dev/null", "capakit-up", paths.SupervisorLog, self })
        {
            start.ArgumentList.Add(arg);
        }
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(typeof(UpCommand).Assembly.Location);
        }
        foreach (var arg in Environment.GetCommandLineArgs().Skip(1).Where(a => a is not "-d" and not "--detach"))
        {
            start.ArgumentList.Add(arg);
        }
        start.ArgumentList.Add("--supervise-detached");
        start.ArgumentList.Add("--kit");
        start.ArgumentList.Add(kit.ProjectFile);
        using var child = Process.Start(start) ?? throw new CapaKitException(ExitCodes.Tool, "Could not start the background supervisor.");

        var state = await output.StatusAsync("Starting in the background", async status =>
        {
            while (true)
            {
                ct.ThrowIfCancellationRequested();
                var current = InstanceState.Read(paths.StateFile);
                // With --project-skill/--global-skill the supervisor installs the skills just after "ready": wait for them too.
                var done = current is { Status: "failed" } || current is { Status: "ready" } && (!installsSkills || current.InstalledSkills is not null);
                if (done || child.HasExited)
                {
                    return current;
                }
                if (current is not null)
                {
                    status(KitSupervisor.Summary(current));
                }
                await Task.Delay(100, ct);
            }
        });
        if (state is null || state.Status != "ready")
        {
            // The supervisor's own exit code: a missing secret or mount is a usage error (2) with -d too, not a tool failure.
            // Before it has a state (a build error, a missing secret) its error is only in its log: show it here.
            var exitCode = state?.ExitCode ?? (child.HasExited && child.ExitCode is > 0 and < 125 ? child.ExitCode : ExitCodes.Tool);
            throw new CapaKitException(exitCode,
                state?.Error
                ?? (LastError(paths.SupervisorLog) is { } error ? $"{error}\n(background supervisor log: {paths.SupervisorLog})" : null)
                ?? $"The background supervisor stopped before the Kit was ready; see {paths.SupervisorLog}.");
        }
        if (output.Json)
        {
            output.WriteJson(StateJson(state));
        }
        else
        {
            output.Info($"Kit '{state.Kit}' is up in the background (pid {state.SupervisorPid}).");
            foreach (var url in state.Urls)
            {
                output.Info("  " + url);
            }
            PrintProtocolUrls(output, state);
            output.Info("Manage it with: dotnet capakit ps | logs -f | down.");
        }
        return ExitCodes.Ok;
    }

    /// <summary>The gateway's merged endpoints, when the Kit has something behind them: what an agent or an OpenAI client is given.</summary>
    private static void PrintProtocolUrls(ConsoleOutput output, InstanceState state)
    {
        if (state.MergedMcpUrl is { } mcp)
        {
            output.Info($"  MCP (all tools)  {mcp}");
        }
        if (state.OpenAiBaseUrl is { } openAi)
        {
            output.Info($"  OpenAI base URL  {openAi}");
        }
    }

    public static JsonObject StateJson(InstanceState state) => new()
    {
        ["kit"] = state.Kit,
        ["status"] = state.Status,
        ["pid"] = state.SupervisorPid,
        ["gateway"] = state.GatewayUrl,
        ["urls"] = new JsonArray([.. state.Urls.Select(u => (JsonNode)u)]),
        ["mergedMcpUrl"] = state.MergedMcpUrl,
        ["openAiBaseUrl"] = state.OpenAiBaseUrl,
        ["workloads"] = new JsonObject(state.Workloads.Select(w => KeyValuePair.Create(w.Key, (JsonNode?)new JsonObject
        {
            ["status"] = w.Value.Status,
            ["pid"] = w.Value.Pid,
            ["restarts"] = w.Value.Restarts,
            ["lastExitCode"] = w.Value.LastExitCode,
        }))),
    };

    /// <summary>The last error the supervisor wrote to its log (the "error: " line and the lines after it), or null.</summary>
    private static string? LastError(string log)
    {
        if (!File.Exists(log))
        {
            return null;
        }
        var lines = File.ReadAllLines(log);
        var start = Array.FindLastIndex(lines, l => l.StartsWith("error: ", StringComparison.Ordinal));
        return start < 0 ? null : string.Join("\n", lines[start..].Where(l => l.Length > 0))["error: ".Length..];
    }
}
