namespace CapaKit.Tool.Bun;

/// <summary>What a shell does with PATH, minus relative entries (a relative entry would make the answer depend on the current folder).</summary>
internal static class ExecutableSearch
{
    internal static IEnumerable<string> Candidates(string name, string? searchPath)
    {
        if (searchPath is null)
        {
            yield break;
        }
        foreach (var folder in searchPath.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            if (!Path.IsPathRooted(folder))
            {
                continue;
            }
            var candidate = Path.Combine(folder, name);
            if (BunNative.IsExecutableFile(candidate))
            {
                yield return candidate;
            }
        }
    }

    internal static string? Find(string name, string? searchPath) => Candidates(name, searchPath).FirstOrDefault();
}
