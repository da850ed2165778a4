namespace CapaKit.Testing;

/// <summary>The checkout root (the folder holding CapaKit.sln), found from the test assembly's folder. Compiled into every test project.</summary>
internal static class RepoRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "CapaKit.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Cannot find the repository root (CapaKit.sln) above " + AppContext.BaseDirectory);
    }
}
