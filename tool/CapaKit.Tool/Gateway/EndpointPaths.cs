namespace CapaKit.Tool.Gateway;

/// <summary>Path helpers for endpoint and expose paths (always absolute, compared segment by segment, ordinal).</summary>
internal static class EndpointPaths
{
    /// <summary>Where a protocol listens on a workload's ingress when the manifest gives no path (same defaults as the compiler).</summary>
    public static string Default(string protocol) => protocol switch
    {
        "mcp" => "/mcp",
        "oaic" => "/v1",
        _ => "/", // http, a2a
    };

    /// <summary>"/api/" → "/api", "" → "/": one spelling per path so prefix tests are plain string tests.</summary>
    public static string Normalize(string path)
    {
        var trimmed = path.TrimEnd('/');
        return trimmed.Length == 0 ? "/" : trimmed.StartsWith('/') ? trimmed : "/" + trimmed;
    }

    /// <summary>
    /// The remainder of <paramref name="path"/> under <paramref name="prefix"/> ("" or "/..."), or null when the
    /// prefix does not cover it: "/api" covers "/api" and "/api/x" but not "/apix"; "/" covers everything.
    /// </summary>
    public static string? Remainder(string prefix, string path)
    {
        if (prefix == "/")
        {
            return path;
        }
        if (!path.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }
        var rest = path[prefix.Length..];
        return rest.Length == 0 || rest[0] == '/' ? rest : null;
    }

    /// <summary>"/mcp" + "" → "/mcp", "/" + "/x" → "/x", "/v1" + "/models" → "/v1/models".</summary>
    public static string Join(string prefix, string remainder) =>
        remainder.Length == 0 ? prefix : prefix == "/" ? remainder : prefix + remainder;

    /// <summary>The longest run of leading segments that every path shares ("/" when they share none).</summary>
    public static string CommonPrefix(IReadOnlyCollection<string> paths)
    {
        if (paths.Count == 0)
        {
            return "/";
        }
        var split = paths.Select(p => Normalize(p).Split('/', StringSplitOptions.RemoveEmptyEntries)).ToList();
        var common = new List<string>();
        for (var i = 0; i < split.Min(s => s.Length); i++)
        {
            var segment = split[0][i];
            if (split.Any(s => !string.Equals(s[i], segment, StringComparison.Ordinal)))
            {
                break;
            }
            common.Add(segment);
        }
        return "/" + string.Join('/', common);
    }
}
