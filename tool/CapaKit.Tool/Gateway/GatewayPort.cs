using System.Security.Cryptography;
using System.Text;

namespace CapaKit.Tool.Gateway;

/// <summary>
/// The Kit's default gateway port: a hash of the Kit's folder mapped into 20000–29999, so bookmarks and MCP client
/// settings keep working across <c>up</c>s, and two Kits on one machine rarely ask for the same port.
/// </summary>
internal static class GatewayPort
{
    public const int RangeStart = 20000;
    public const int RangeSize = 10000;

    /// <summary>How many ports after the preferred one are tried before giving up.</summary>
    public const int FallbackAttempts = 64;

    public static int Default(string kitDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(kitDirectory);
        // Spell the same folder one way ("/a/kit/" and "/a/kit" are one Kit); SHA-256 because string.GetHashCode
        // changes with every process.
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(kitDirectory));
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(full));
        return RangeStart + (int)(BitConverter.ToUInt32(hash, 0) % RangeSize);
    }

    /// <summary>The preferred port, then the next ones, wrapping inside the range.</summary>
    public static IEnumerable<int> Candidates(int preferred)
    {
        yield return preferred;
        var inRange = preferred is >= RangeStart and < RangeStart + RangeSize;
        for (var i = 1; i < FallbackAttempts; i++)
        {
            yield return inRange ? RangeStart + (preferred - RangeStart + i) % RangeSize : preferred + i;
        }
    }
}
