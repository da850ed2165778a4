namespace CapaKit.Tool.Egress;

/// <summary>
/// Finds <c>registry=</c> and <c>@scope:registry=</c> in an <c>.npmrc</c>, read the way npm's ini parser reads it:
/// <c>#</c> and <c>;</c> start comments, values may be quoted, unknown keys and section headers are ignored.
/// </summary>
internal static class NpmrcRegistryReader
{
    public static void Read(string text, RegistryUrlCollector collector)
    {
        var lineNumber = 0;
        foreach (var rawLine in text.Split('\n'))
        {
            lineNumber++;
            var line = rawLine.Trim();
            if (line.Length == 0 || line[0] is '#' or ';' or '[')
            {
                continue;
            }

            var equals = line.IndexOf('=');
            if (equals <= 0)
            {
                continue;
            }

            var key = line[..equals].Trim();
            if (IsRegistryKey(key))
            {
                collector.AddUrl($"line {lineNumber}, {key}", Unquote(line[(equals + 1)..].Trim()));
            }
        }
    }

    private static bool IsRegistryKey(string key) =>
        key.Equals("registry", StringComparison.OrdinalIgnoreCase)
        || (key.StartsWith('@') && key.EndsWith(":registry", StringComparison.OrdinalIgnoreCase) && key.Length > "@:registry".Length);

    private static string Unquote(string value)
    {
        if (value.Length >= 2 && value[0] is '"' or '\'' && value[^1] == value[0])
        {
            return value[1..^1];
        }

        // Unquoted values end at an inline comment, as in npm's ini parser.
        var comment = value.IndexOfAny(['#', ';']);
        return (comment >= 0 ? value[..comment] : value).Trim();
    }
}
