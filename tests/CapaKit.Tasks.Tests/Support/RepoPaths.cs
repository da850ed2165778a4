namespace CapaKit.Tasks.Tests.Support;

public static class RepoPaths
{
    /// <summary>The checkout root (the folder holding CapaKit.sln), found from the test assembly's folder.</summary>
    public static string Root { get; } = Find();

    public static string Combine(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CapaKit.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Cannot find CapaKit.sln above " + AppContext.BaseDirectory);
    }
}
