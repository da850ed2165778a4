using System.Runtime.InteropServices;

namespace CapaKit.Tool.Sandbox.Linux;

/// <summary>
/// How many tasks (threads) a user runs on this host now: what the kernel compares RLIMIT_NPROC against at every
/// fork, whichever process forks. Counted from <c>/proc/&lt;pid&gt;/status</c> (real uid and thread count), one short
/// read per process.
/// </summary>
internal static partial class UserTasks
{
    /// <summary>The caller's real uid, the one RLIMIT_NPROC is counted by.</summary>
    public static uint RealUid => GetUid();

    /// <summary>The threads of every process whose real uid is <paramref name="uid"/>; processes that end meanwhile are skipped.</summary>
    public static int Count(uint uid)
    {
        Span<byte> buffer = stackalloc byte[4096];
        var total = 0;
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            var name = entry.AsSpan(6);
            if (name.Length == 0 || !char.IsAsciiDigit(name[0]))
            {
                continue;
            }
            try
            {
                using var handle = File.OpenHandle(entry + "/status");
                var read = RandomAccess.Read(handle, buffer, 0);
                if (Parse(buffer[..read]) is { } status && status.RealUid == uid)
                {
                    total += status.Threads;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended between the listing and the read.
            }
        }
        return total;
    }

    /// <summary>The real uid and thread count from the start of a status file (both come within its first 4 KiB).</summary>
    internal static (uint RealUid, int Threads)? Parse(ReadOnlySpan<byte> status)
    {
        uint? uid = null;
        int? threads = null;
        foreach (var range in status.Split((byte)'\n'))
        {
            var line = status[range];
            if (line.StartsWith("Uid:"u8))
            {
                uid = FirstNumber(line[4..]) is { } u ? (uint)u : null;
            }
            else if (line.StartsWith("Threads:"u8))
            {
                threads = FirstNumber(line[8..]) is { } t ? (int)t : null;
                break;
            }
        }
        return uid is { } realUid && threads is { } count ? (realUid, count) : null;
    }

    private static long? FirstNumber(ReadOnlySpan<byte> text)
    {
        text = text.TrimStart(" \t"u8);
        var end = text.IndexOfAnyExceptInRange((byte)'0', (byte)'9');
        var digits = end < 0 ? text : text[..end];
        return digits.Length > 0 && long.TryParse(digits, out var value) ? value : null;
    }

    [LibraryImport("libc", EntryPoint = "getuid")]
    private static partial uint GetUid();
}
