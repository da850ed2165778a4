using System.Text.Json;
using System.Text.Json.Serialization;

namespace CapaKit.Tool.Runtime;

/// <summary>What `ps` and `down` read: written atomically by the supervisor of a running Kit.</summary>
public sealed record InstanceState
{
    public required string Kit { get; init; }
    public required string ProjectFile { get; init; }
    public required int SupervisorPid { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    /// <summary>The supervisor's start time in clock ticks since boot (/proc/&lt;pid&gt;/stat), so a reused pid is never taken for it.</summary>
    public long? SupervisorStartTicks { get; init; }
    public string Status { get; set; } = "starting";
    public string? GatewayUrl { get; set; }
    public List<string> Urls { get; set; } = [];
    /// <summary>The gateway's merged MCP endpoint (<c>/mcp/all</c>), when the Kit exposes an mcp endpoint.</summary>
    public string? MergedMcpUrl { get; set; }
    /// <summary>The gateway's OpenAI-compatible base URL (<c>/v1</c>), when the Kit exposes an oaic endpoint.</summary>
    public string? OpenAiBaseUrl { get; set; }
    public SortedDictionary<string, WorkloadState> Workloads { get; set; } = new(StringComparer.Ordinal);
    public string? Error { get; set; }
    /// <summary>The exit code the failure means (ExitCodes), so `up -d` can exit with it rather than a generic one.</summary>
    public int? ExitCode { get; set; }
    /// <summary>Skill folders `up --project-skill` installed; `down` removes them if the supervisor could not.</summary>
    public List<string>? InstalledSkills { get; set; }

    public static InstanceState? Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path), InstanceStateJson.Default.InstanceState);
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public void Write(string path)
    {
        // A unique temp name: `up --project-skill` writes the state beside the supervisor's own writes.
        var temp = $"{path}.{Guid.NewGuid():N}.tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(this, InstanceStateJson.Default.InstanceState));
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>True when the supervisor that wrote this state is still alive.</summary>
    public bool IsAlive() => ProcessAlive(SupervisorPid) && (SupervisorStartTicks is not { } ticks || StartTicks(SupervisorPid) == ticks);

    /// <summary>A process's start time in clock ticks since boot (field 22 of /proc/&lt;pid&gt;/stat); null where there is no /proc.</summary>
    public static long? StartTicks(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // Fields after the parenthesised command name (which may hold spaces or ')') start at field 3.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return long.TryParse(fields[22 - 3], out var ticks) ? ticks : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>Running, and not a zombie waiting for its parent to reap it (a killed supervisor can linger as one).</summary>
    public static bool ProcessAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The state letter follows the parenthesised command name, which may itself hold spaces or ')'.
            var state = stat[(stat.LastIndexOf(')') + 2)..].TrimStart()[0];
            return state is not ('Z' or 'X');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            if (OperatingSystem.IsLinux())
            {
                return false;
            }
            try
            {
                using var process = System.Diagnostics.Process.GetProcessById(pid);
                return !process.HasExited;
            }
            catch (ArgumentException)
            {
                return false;
            }
        }
    }
}

public sealed record WorkloadState
{
    /// <summary>pending, preparing, starting, ready, restarting, exited, failed, stopped.</summary>
    public string Status { get; set; } = "pending";
    public int? Pid { get; set; }
    public int Restarts { get; set; }
    public int? LastExitCode { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public string? Message { get; set; }
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(InstanceState))]
internal sealed partial class InstanceStateJson : JsonSerializerContext;
