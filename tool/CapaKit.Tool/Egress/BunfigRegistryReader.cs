namespace CapaKit.Tool.Egress;

/// <summary>
/// Finds the registries in a <c>bunfig.toml</c>: <c>[install] registry = "url"</c> or <c>registry = { url = "..." }</c>,
/// and every <c>[install.scopes]</c> entry (string or inline table), also in dotted-key and sub-table spellings.
/// A lenient line-by-line reading of the TOML subset bunfig uses; anything it does not understand is skipped.
/// </summary>
internal static class BunfigRegistryReader
{
    public static void Read(string text, RegistryUrlCollector collector)
    {
        IReadOnlyList<string> table = [];
        var lineNumber = 0;
        foreach (var rawLine in text.Split('\n'))
        {
            lineNumber++;
            var cursor = new TomlLineCursor(rawLine.TrimEnd('\r'));
            cursor.SkipSpace();
            if (cursor.AtEnd || cursor.Current == '#')
            {
                continue;
            }

            if (cursor.Current == '[')
            {
                table = cursor.TryReadTableHeader(out var header) ? header : ["(unreadable table)"];
                continue;
            }

            if (!cursor.TryReadKeyPath(out var key) || !cursor.TryConsume('='))
            {
                continue;
            }

            foreach (var (path, value) in cursor.ReadStringValues([.. table, .. key]))
            {
                if (IsRegistrySetting(path))
                {
                    collector.AddUrl($"line {lineNumber}, {string.Join('.', path)}", value);
                }
            }
        }
    }

    private static bool IsRegistrySetting(IReadOnlyList<string> path) => path switch
    {
        ["install", "registry"] or ["install", "registry", "url"] => true,
        ["install", "scopes", _] or ["install", "scopes", _, "url"] => true,
        _ => false,
    };
}
