using System.CommandLine;
using CapaKit.Tool.Agents;
using CapaKit.Tool.Kits;
using CapaKit.Tool.Output;
using CapaKit.Tool.Packages;
using CapaKit.Tool.Runtime;
using CapaKit.Tool.Sandbox.Linux;

namespace CapaKit.Tool.Commands;

/// <summary><c>dotnet capakit down [kit]</c>: stop a running Kit gracefully (SIGTERM, grace period, SIGKILL).</summary>
public static class DownCommand
{
    private static readonly Argument<string?> KitArgument = new("kit") { Description = "The Kit: a .kitproj or its folder (default: the current folder), or a Kit package id started with up <PackageId>.", Arity = ArgumentArity.ZeroOrOne };

    /// <summary>How long the supervisor gets to stop its workloads (each has its own grace period) before it is killed.</summary>
    public static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    public static Command Create()
    {
        var down = new Command("down", "Stop a running Kit: workloads get SIGTERM, then SIGKILL after a grace period; sockets and state are removed.")
        {
            KitArgument, CommonOptions.Kit,
        };
        down.SetAction(async (parse, ct) =>
        {
            var output = ConsoleOutput.From(parse);
            return await CommandRunner.RunAsync(output, async () =>
            {
                var kitArgument = parse.GetValue(KitArgument);
                if (KitPackageSpec.TryParse(kitArgument, Environment.CurrentDirectory) is { } package)
                {
                    // A Kit package runs from its generated project in the cache: find it there, without asking any feed.
                    kitArgument = KitPackageCache.FindProject(package);
                    if (kitArgument is null)
                    {
                        output.Info($"Kit package {package} is not running.");
                        return ExitCodes.Ok;
                    }
                }
                var kit = KitProject.Locate(kitArgument ?? parse.GetValue(CommonOptions.Kit), Environment.CurrentDirectory);
                var paths = new InstancePaths(kit);
                var state = InstanceState.Read(paths.StateFile);
                // Signal only that Kit's own supervisor: the pid must still be the process that wrote the state (start time),
                // and it must hold the Kit's supervisor lock; a dead supervisor's pid may belong to anything by now.
                if (state is null || !state.IsAlive() || !SupervisorLockHeld(paths))
                {
                    // A Kit that never ran has no instance folder, and File.Delete throws for a missing folder.
                    if (File.Exists(paths.StateFile))
                    {
                        File.Delete(paths.StateFile);
                    }
                    output.Info($"Kit '{Path.GetFileNameWithoutExtension(kit.ProjectFile)}' is not running.");
                    return ExitCodes.Ok;
                }
                await output.StatusAsync($"Stopping {state.Kit}", async _ =>
                {
                    Native.Kill(state.SupervisorPid, Native.SIGTERM);
                    var deadline = DateTimeOffset.UtcNow + StopTimeout;
                    while (InstanceState.ProcessAlive(state.SupervisorPid) && DateTimeOffset.UtcNow < deadline)
                    {
                        await Task.Delay(50, ct);
                    }
                    if (InstanceState.ProcessAlive(state.SupervisorPid))
                    {
                        // The sandboxes die with their supervisor (--die-with-parent).
                        Native.Kill(state.SupervisorPid, Native.SIGKILL);
                    }
                    return 0;
                });
                // The supervisor removes its skills as it stops; this covers one that had to be killed.
                SkillInstaller.Remove(InstanceState.Read(paths.StateFile)?.InstalledSkills ?? state.InstalledSkills ?? []);
                File.Delete(paths.StateFile);
                output.Info($"Kit '{state.Kit}' stopped.");
                return ExitCodes.Ok;
            });
        });
        return down;
    }

    /// <summary>True when some process holds the Kit's supervisor lock (the kernel releases it when its holder dies).</summary>
    private static bool SupervisorLockHeld(InstancePaths paths)
    {
        if (!File.Exists(paths.LockFile))
        {
            return false;
        }
        try
        {
            using var probe = new FileStream(paths.LockFile, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }
}
