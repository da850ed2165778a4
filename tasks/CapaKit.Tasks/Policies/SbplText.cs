using System.Text;

namespace CapaKit.Tasks.Policies;

/// <summary>Builds SBPL (Seatbelt profile language) text: quoted strings, filters and rules.</summary>
internal static class SbplText
{
    public static string Quote(string value)
    {
        var text = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            if (c is '"' or '\\')
            {
                text.Append('\\');
            }
            else if (char.IsControl(c))
            {
                // A newline in a path would end the comment or string early; no CapaKit name or system path has one.
                throw new ArgumentException($"SBPL string contains a control character: {value}");
            }
            text.Append(c);
        }
        return text.Append('"').ToString();
    }

    public static string Param(string name) => $"(param {Quote(name)})";

    /// <summary>The same parameter with <c>/private</c> in front: the canonical spelling of a <c>/tmp/…</c> or <c>/var/…</c> path.</summary>
    public static string PrivateSpelling(string parameter) => $"(string-append \"/private\" {Param(parameter)})";

    public static string Literal(string path) => $"(literal {Quote(path)})";
    public static string Subpath(string path) => $"(subpath {Quote(path)})";
    public static string SubpathOfParam(string parameter) => $"(subpath {Param(parameter)})";
    public static string SysctlName(string name) => $"(sysctl-name {Quote(name)})";
    public static string GlobalName(string name) => $"(global-name {Quote(name)})";
    public static string RemoteUnixSocket(string pathExpression) => $"(remote unix-socket (path-literal {pathExpression}))";
    public static string LocalUnixSocket(string pathExpression) => $"(local unix-socket (path-literal {pathExpression}))";

    /// <summary>
    /// One rule. Several filters in one rule match when any of them does; they are sorted so the
    /// profile is byte-stable whatever order the manifest listed things in.
    /// </summary>
    public static string Rule(string action, IEnumerable<string> operations, IEnumerable<string> filters)
    {
        var head = $"({action} {string.Join(' ', operations)}";
        var sorted = filters.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return sorted.Count switch
        {
            0 => head + ")",
            1 => $"{head} {sorted[0]})",
            _ => head + string.Concat(sorted.Select(f => "\n    " + f)) + ")",
        };
    }

    public static string Allow(string operation, params string[] filters) => Rule("allow", [operation], filters);
    public static string Allow(string[] operations, IEnumerable<string> filters) => Rule("allow", operations, filters);
}
