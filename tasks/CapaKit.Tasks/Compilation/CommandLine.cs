namespace CapaKit.Tasks.Compilation;

/// <summary>Turns a manifest command string into the argument vector the runtime executes.</summary>
public static class CommandLine
{
    private const string ShellCharacters = "|&;<>()$`\\*?[]#~=%{}!\n";

    /// <summary>
    /// Plain words are split the way a POSIX shell would split them (with '…' and "…" quoting);
    /// a command that uses shell syntax (pipes, redirects, variables, globs) runs under /bin/sh -c instead,
    /// so its meaning is exactly what the author wrote.
    /// </summary>
    public static List<string> ToArgv(string command)
    {
        if (command.IndexOfAny(ShellCharacters.ToCharArray()) >= 0 || !TrySplit(command, out var words))
        {
            return ["/bin/sh", "-c", command];
        }
        return words;
    }

    private static bool TrySplit(string command, out List<string> words)
    {
        words = [];
        var current = new System.Text.StringBuilder();
        var inWord = false;
        char quote = '\0';
        foreach (var c in command)
        {
            if (quote != '\0')
            {
                if (c == quote)
                {
                    quote = '\0';
                }
                else
                {
                    current.Append(c);
                }
            }
            else if (c is '\'' or '"')
            {
                quote = c;
                inWord = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    words.Add(current.ToString());
                    current.Clear();
                    inWord = false;
                }
            }
            else
            {
                current.Append(c);
                inWord = true;
            }
        }
        if (quote != '\0')
        {
            return false;
        }
        if (inWord)
        {
            words.Add(current.ToString());
        }
        return words.Count > 0;
    }
}
