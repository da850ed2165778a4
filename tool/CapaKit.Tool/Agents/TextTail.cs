namespace CapaKit.Tool.Agents;

/// <summary>The end of a command's output: agents need the last lines (the failure, the summary), not megabytes.</summary>
public static class TextTail
{
    public const int DefaultChars = 8 * 1024;

    public static string Of(string? text, int maxChars = DefaultChars)
    {
        if (string.IsNullOrEmpty(text) || text.Length <= maxChars)
        {
            return text ?? "";
        }
        return "…" + text[^maxChars..];
    }

    public static string LastLines(string text, int lines)
    {
        var all = text.Split('\n');
        var end = all.Length > 0 && all[^1].Length == 0 ? all.Length - 1 : all.Length;
        return string.Join('\n', all[Math.Max(0, end - lines)..end]);
    }
}
