using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Nodes;
using CapaKit.Tool.Kits;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace CapaKit.Tool.Agents;

/// <summary>
/// The tools `dotnet capakit mcp` serves. Kit operations run the tool itself as a child process (`--format json`),
/// so the MCP server and the command line share one code path and one set of messages. Every <c>kitPath</c> and mount
/// goes through the server's <see cref="KitPathScope"/> before anything runs.
/// </summary>
[McpServerToolType]
public sealed class CapaKitTools(KitPathScope scope)
{
    [McpServerTool(Name = "kits_list", ReadOnly = true), Description(
        "Describe the CapaKit Kit in the current folder (or at kitPath): its workloads with their phases (prepare, hydrate, start), " +
        "endpoints and connections, and its exposed paths; plus every Kit running on this machine. Call this first to learn the workload names for exec.")]
    public async Task<CallToolResult> KitsList(
        [Description("A .kitproj or the folder holding one (default: the server's working folder).")] string? kitPath = null,
        CancellationToken ct = default)
    {
        var result = new JsonObject();
        try
        {
            var kit = KitProject.Locate(scope.KitArgument(kitPath, Environment.CurrentDirectory), Environment.CurrentDirectory);
            var bundle = await KitBuilder.EnsureBuiltAsync(kit, null, ct);
            result["kit"] = KitDescription.Of(bundle, kit.ProjectFile);
        }
        catch (CapaKitException e) when (kitPath is null)
        {
            // No Kit here is still a useful answer when others are running.
            result["kit"] = null;
            result["note"] = e.Message;
        }
        catch (CapaKitException e)
        {
            return ToolResults.Error(e.Message);
        }
        result["running"] = KitDescription.Running();
        return ToolResults.Json(result);
    }

    [McpServerTool(Name = "exec"), Description(
        "Run installs, builds and tests of a Kit workload through CapaKit's sandbox instead of on the host. " +
        "Use phase 'prepare' for installs (registry network only, e.g. [\"bun\",\"install\"]) and the default 'start' for builds, tests and scripts (e.g. [\"bun\",\"test\"]). " +
        "Returns exitCode, timedOut, durationMs and the last ~8 KB of stdout and stderr.")]
    public async Task<CallToolResult> Exec(
        [Description("The workload whose sandbox runs the command (see kits_list).")] string workload,
        [Description("The command and its arguments, e.g. [\"bun\",\"test\"]. Empty: the phase's own command.")] string[]? command = null,
        [Description("Whose sandbox policy applies: prepare (installs), hydrate, or start (default).")] string phase = "start",
        [Description("Stop the command after this many seconds (default: the phase's limit).")] int? timeoutSeconds = null,
        [Description("A .kitproj or the folder holding one (default: the server's working folder).")] string? kitPath = null,
        [Description("Kit options as name → value.")] Dictionary<string, string>? options = null,
        [Description("Host folders for declared mounts as name → path.")] Dictionary<string, string>? mounts = null,
        CancellationToken ct = default)
    {
        List<string> args = ["exec", workload, "--phase", phase, "--format", "json"];
        if (timeoutSeconds is { } seconds)
        {
            args.AddRange(["--timeout", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }
        if (!TryAddKitOptions(args, kitPath, options, mounts, out var refused))
        {
            return refused;
        }
        args.Add("--");
        args.AddRange(command ?? []);
        var run = await SelfProcess.RunAsync(args, ct);
        if (ToolResults.TryParse(run.StandardOutput) is not JsonObject json)
        {
            return ToolResults.Error(run.ErrorMessage);
        }
        return ToolResults.Json(new JsonObject
        {
            ["workload"] = json["workload"]?.DeepClone(),
            ["phase"] = json["phase"]?.DeepClone(),
            ["command"] = json["command"]?.DeepClone(),
            ["exitCode"] = json["exitCode"]?.DeepClone(),
            ["timedOut"] = json["timedOut"]?.DeepClone(),
            ["durationMs"] = json["durationMs"]?.DeepClone(),
            ["stdoutTail"] = TextTail.Of(json["stdout"]?.GetValue<string>()),
            ["stderrTail"] = TextTail.Of(json["stderr"]?.GetValue<string>()),
        });
    }

    [McpServerTool(Name = "up"), Description(
        "Start the whole Kit in the background (installs, then every workload in connection order, behind one local gateway) and return its state and gateway URLs. " +
        "Use before calling the Kit's endpoints or running its tests; stop it with down.")]
    public async Task<CallToolResult> Up(
        [Description("A .kitproj or the folder holding one (default: the server's working folder).")] string? kitPath = null,
        [Description("Kit options as name → value.")] Dictionary<string, string>? options = null,
        [Description("Host folders for declared mounts as name → path.")] Dictionary<string, string>? mounts = null,
        CancellationToken ct = default)
    {
        List<string> args = ["up", "-d", "--format", "json"];
        if (!TryAddKitOptions(args, kitPath, options, mounts, out var refused))
        {
            return refused;
        }
        return ToolResults.FromJsonRun(await SelfProcess.RunAsync(args, ct));
    }

    [McpServerTool(Name = "down", Destructive = true), Description("Stop a Kit started with up: its workloads get SIGTERM, then SIGKILL after a grace period.")]
    public async Task<CallToolResult> Down(
        [Description("A .kitproj or the folder holding one (default: the server's working folder).")] string? kitPath = null,
        CancellationToken ct = default)
    {
        List<string> args = ["down"];
        if (!TryAddKitOptions(args, kitPath, null, null, out var refused))
        {
            return refused;
        }
        var run = await SelfProcess.RunAsync(args, ct);
        return run.ExitCode == 0 ? ToolResults.Text(run.StandardError.Trim() is { Length: > 0 } said ? said : "The Kit is stopped.") : ToolResults.Error(run.ErrorMessage);
    }

    [McpServerTool(Name = "ps", ReadOnly = true), Description("List the Kits running on this machine and each workload's status, pid, restarts and last exit code.")]
    public async Task<CallToolResult> Ps(CancellationToken ct = default) =>
        ToolResults.FromJsonRun(await SelfProcess.RunAsync(["ps", "--format", "json"], ct));

    [McpServerTool(Name = "logs", ReadOnly = true), Description(
        "Read the last lines a running (or the last) Kit's workloads printed: installs, starts, restarts and crashes. Use when a workload fails or restarts.")]
    public async Task<CallToolResult> Logs(
        [Description("Only this workload (default: all, each line prefixed with its name).")] string? workload = null,
        [Description("How many of the last lines to return (default 200).")] int lines = 200,
        [Description("A .kitproj or the folder holding one (default: the server's working folder).")] string? kitPath = null,
        CancellationToken ct = default)
    {
        List<string> args = ["logs"];
        if (workload is not null)
        {
            args.Add(workload);
        }
        if (!TryAddKitOptions(args, kitPath, null, null, out var refused))
        {
            return refused;
        }
        var run = await SelfProcess.RunAsync(args, ct);
        return run.ExitCode == 0 ? ToolResults.Text(TextTail.LastLines(run.StandardOutput, Math.Max(1, lines))) : ToolResults.Error(run.ErrorMessage);
    }

    [McpServerTool(Name = "test"), Description(
        "Run the Kit's own tests (capability-test.yml: MCP calls through the gateway and commands in workload sandboxes), starting the Kit when it is not running. " +
        "Returns passed/failed counts and each test's failures.")]
    public async Task<CallToolResult> Test(
        [Description("A .kitproj or the folder holding one (default: the server's working folder).")] string? kitPath = null,
        [Description("Kit options as name → value.")] Dictionary<string, string>? options = null,
        [Description("Host folders for declared mounts as name → path.")] Dictionary<string, string>? mounts = null,
        CancellationToken ct = default)
    {
        List<string> args = ["test", "--format", "json"];
        if (!TryAddKitOptions(args, kitPath, options, mounts, out var refused))
        {
            return refused;
        }
        return ToolResults.FromJsonRun(await SelfProcess.RunAsync(args, ct));
    }

    /// <summary>Adds --kit, --option and --mount for the child command; false (and the refusal to return) when the scope refuses a path.</summary>
    private bool TryAddKitOptions(List<string> args, string? kitPath, Dictionary<string, string>? options, Dictionary<string, string>? mounts,
        [NotNullWhen(false)] out CallToolResult? refused)
    {
        refused = null;
        try
        {
            if (scope.KitArgument(kitPath, Environment.CurrentDirectory) is { } kit)
            {
                args.AddRange(["--kit", kit]);
            }
            foreach (var (name, value) in options ?? [])
            {
                args.AddRange(["--option", $"{name}={value}"]);
            }
            foreach (var (name, value) in mounts ?? [])
            {
                args.AddRange(["--mount", $"{name}={scope.MountPath(name, value, Environment.CurrentDirectory)}"]);
            }
            return true;
        }
        catch (CapaKitException e)
        {
            refused = ToolResults.Error(e.Message);
            return false;
        }
    }
}
