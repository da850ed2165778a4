using CapaKit.Bundle;

namespace CapaKit.Tool.Sandbox.Linux;

/// <summary>
/// Memory and process-count limits through cgroups, where this machine lets the caller create a child
/// group of its own (cgroup v1 as root, or a delegated cgroup v2 subtree). Where it does not, the
/// sandbox still has its rlimits; <see cref="Probe"/> says why for `doctor`.
/// </summary>
public sealed class CgroupLimiter : IDisposable
{
    private readonly List<string> _groups = [];

    private CgroupLimiter()
    {
    }

    /// <summary>The cgroup.procs files the sandbox must join before it starts.</summary>
    public IReadOnlyList<string> ProcsFiles => _groups.Select(g => Path.Combine(g, "cgroup.procs")).ToList();

    /// <summary>What was limited, for the debug printout.</summary>
    public List<string> Description { get; } = [];

    /// <summary>Whether a pids.max was set: the sandbox's processes and threads are then bounded by its own count.</summary>
    public bool LimitsProcesses { get; private set; }

    /// <summary>Creates the groups and writes the limits; returns null (with the reason) when the machine delegates none.</summary>
    public static CgroupLimiter? TryCreate(ResourceLimits limits, out string reason)
    {
        var limiter = new CgroupLimiter();
        var name = "capakit-" + Guid.NewGuid().ToString("N")[..10];
        var reasons = new List<string>();
        foreach (var (controller, file, value) in Controllers(limits))
        {
            if (Base(controller) is not { } parent)
            {
                reasons.Add($"no {controller} controller");
                continue;
            }
            var group = Path.Combine(parent, name);
            try
            {
                if (!limiter._groups.Contains(group))
                {
                    Directory.CreateDirectory(group);
                    limiter._groups.Add(group);
                }
                File.WriteAllText(Path.Combine(group, file), value);
                limiter.Description.Add($"{group}/{file} = {value}");
                limiter.LimitsProcesses |= controller == "pids";
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                reasons.Add($"{controller}: {e.Message}");
            }
        }
        reason = string.Join("; ", reasons);
        if (limiter.Description.Count == 0)
        {
            limiter.Dispose();
            return null;
        }
        return limiter;
    }

    /// <summary>A dry run for `doctor`: can limits be set here, and is the process count among them?</summary>
    public static (bool Available, bool LimitsProcesses, string Detail) Probe()
    {
        using var limiter = TryCreate(new ResourceLimits { MemoryMaxBytes = 1L << 30, PidsMax = 64 }, out var reason);
        return limiter is null
            ? (false, false, string.IsNullOrEmpty(reason) ? "no cgroup controllers found" : reason)
            : (true, limiter.LimitsProcesses, string.Join(", ", limiter.Description.Select(d => d[(d.LastIndexOf('/') + 1)..])) + (reason.Length > 0 ? $" (not: {reason})" : ""));
    }

    public void Dispose()
    {
        foreach (var group in _groups)
        {
            try
            {
                Directory.Delete(group);
            }
            catch (IOException)
            {
                // Still has a process that is exiting; the kernel frees an empty group once removed later.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        _groups.Clear();
    }

    private static IEnumerable<(string Controller, string File, string Value)> Controllers(ResourceLimits limits)
    {
        var v2 = File.Exists("/sys/fs/cgroup/cgroup.controllers");
        if (limits.MemoryMaxBytes > 0)
        {
            yield return v2 ? ("memory", "memory.max", limits.MemoryMaxBytes.ToString()) : ("memory", "memory.limit_in_bytes", limits.MemoryMaxBytes.ToString());
        }
        if (limits.PidsMax > 0)
        {
            yield return ("pids", "pids.max", limits.PidsMax.ToString());
        }
    }

    /// <summary>The caller's own group for a controller, from /proc/self/cgroup.</summary>
    private static string? Base(string controller)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines("/proc/self/cgroup");
        }
        catch (IOException)
        {
            return null;
        }
        if (File.Exists("/sys/fs/cgroup/cgroup.controllers"))
        {
            var unified = lines.FirstOrDefault(l => l.StartsWith("0::", StringComparison.Ordinal));
            if (unified is null) return null;
            var dir = "/sys/fs/cgroup" + unified[3..].TrimEnd('/');
            // A v2 controller is usable below us only when our group delegates it to children.
            var subtree = Path.Combine(dir, "cgroup.subtree_control");
            return File.Exists(subtree) && File.ReadAllText(subtree).Split(' ', '\n').Contains(controller) ? dir : null;
        }
        foreach (var line in lines)
        {
            var parts = line.Split(':', 3);
            if (parts.Length == 3 && parts[1].Split(',').Contains(controller))
            {
                var dir = Path.Combine("/sys/fs/cgroup", controller) + parts[2].TrimEnd('/');
                return Directory.Exists(dir) ? dir : null;
            }
        }
        return null;
    }
}
