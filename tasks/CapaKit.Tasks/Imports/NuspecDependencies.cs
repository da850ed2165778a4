using System.Xml.Linq;

namespace CapaKit.Tasks.Imports;

/// <summary>The package dependencies a package's nuspec declares (all groups), id → version range as written.</summary>
public static class NuspecDependencies
{
    public static IReadOnlyDictionary<string, string> Read(string packageFolder)
    {
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var nuspec = Directory.Exists(packageFolder) ? Directory.EnumerateFiles(packageFolder, "*.nuspec").FirstOrDefault() : null;
        if (nuspec is null)
        {
            return map;
        }
        foreach (var dependency in XDocument.Load(nuspec).Descendants().Where(e => e.Name.LocalName == "dependency"))
        {
            if (dependency.Attribute("id")?.Value is { Length: > 0 } id)
            {
                map[id] = dependency.Attribute("version")?.Value ?? "";
            }
        }
        return map;
    }
}

/// <summary>
/// NuGet's version range notation (<c>1.0</c> = at least 1.0, <c>[1.0]</c>, <c>[1.0,2.0)</c>, <c>(,2.0]</c>), enough to tell
/// whether a restored version satisfies what a packed Kit asked for. NuGet's own types are not loaded into the MSBuild node.
/// </summary>
public static class NuGetVersionRange
{
    public static bool Contains(string range, string version)
    {
        range = range.Trim();
        if (range.Length == 0)
        {
            return true;
        }
        if (range[0] is not ('[' or '('))
        {
            return Compare(version, range) >= 0;
        }
        var minInclusive = range[0] == '[';
        var maxInclusive = range[^1] == ']';
        var inner = range[1..^1];
        var comma = inner.IndexOf(',');
        var min = (comma < 0 ? inner : inner[..comma]).Trim();
        var max = (comma < 0 ? inner : inner[(comma + 1)..]).Trim();
        if (min.Length > 0)
        {
            var c = Compare(version, min);
            if (c < 0 || (c == 0 && !minInclusive))
            {
                return false;
            }
        }
        if (max.Length > 0)
        {
            var c = Compare(version, max);
            if (c > 0 || (c == 0 && !maxInclusive))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>SemVer 2 precedence over up to four numeric parts; build metadata is ignored.</summary>
    public static int Compare(string a, string b)
    {
        var (numbersA, preA) = Split(a);
        var (numbersB, preB) = Split(b);
        for (var i = 0; i < 4; i++)
        {
            var c = numbersA.ElementAtOrDefault(i).CompareTo(numbersB.ElementAtOrDefault(i));
            if (c != 0)
            {
                return c;
            }
        }
        if (preA.Length == 0 || preB.Length == 0)
        {
            // A release sorts after its prereleases.
            return (preA.Length == 0, preB.Length == 0) switch { (true, true) => 0, (true, false) => 1, _ => -1 };
        }
        var partsA = preA.Split('.');
        var partsB = preB.Split('.');
        for (var i = 0; i < Math.Min(partsA.Length, partsB.Length); i++)
        {
            var numericA = long.TryParse(partsA[i], out var na);
            var numericB = long.TryParse(partsB[i], out var nb);
            var c = (numericA, numericB) switch
            {
                (true, true) => na.CompareTo(nb),
                (true, false) => -1,
                (false, true) => 1,
                _ => string.CompareOrdinal(partsA[i].ToLowerInvariant(), partsB[i].ToLowerInvariant()),
            };
            if (c != 0)
            {
                return Math.Sign(c);
            }
        }
        return partsA.Length.CompareTo(partsB.Length);
    }

    private static (long[] Numbers, string Prerelease) Split(string version)
    {
        var plus = version.IndexOf('+');
        if (plus >= 0)
        {
            version = version[..plus];
        }
        var dash = version.IndexOf('-');
        var release = dash >= 0 ? version[..dash] : version;
        var prerelease = dash >= 0 ? version[(dash + 1)..] : "";
        var numbers = release.Split('.').Select(p => long.TryParse(p, out var n) ? n : 0).ToArray();
        return (numbers, prerelease);
    }
}
