using System.Globalization;

namespace CapaKit.Tool.Ingress;

/// <summary>Parent links of the host's processes, read from /proc (Linux).</summary>
internal static class ProcessAncestry
{
    /// <summary>
    /// More generations than any sandbox has (its process cap is far lower than this, and orphans are re-parented to
    /// the sandbox's own pid-namespace init); a bound so a walk always ends.
    /// </summary>
    private const int MaxGenerations = 4096;

    /// <summary>True when <paramref name="pid"/> is <paramref name="ancestor"/> itself or one of its descendants right now.</summary>
    public static bool IsSelfOrDescendant(int pid, int ancestor)
    {
        var current = pid;
        for (var generation = 0; generation < MaxGenerations && current > 0; generation++)
        {
            if (current == ancestor)
            {
                return true;
            }
            if (current == 1 || ParentOf(current) is not { } parent)
            {
                return false;
            }
            current = parent;
        }
        return false;
    }

    /// <summary>The parent pid (field 4 of /proc/&lt;pid&gt;/stat), or null when the process is gone.</summary>
    public static int? ParentOf(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after the last ')'.
        var close = stat.LastIndexOf(')');
        var fields = close < 0 ? [] : stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length > 1 && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var parent) ? parent : null;
    }

    /// <summary>The process's command name for a log line (control characters removed: a process chooses its own name), or "?".</summary>
    public static string NameOf(int pid)
    {
        try
        {
            var name = File.ReadAllText($"/proc/{pid}/comm").Trim();
            return new string([.. name.Select(c => char.IsControl(c) ? '?' : c)]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "?";
        }
    }
}
