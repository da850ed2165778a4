namespace CapaKit.Tasks.Tests.Support;

public static class RepoPaths
{
    /// <summary>The checkout root (the folder holding CapaKit.sln), found from the test assembly's folder.</summary>
    public static string Root => CapaKit.Testing.RepoRoot.Path;

    public static string Combine(params string[] parts) => Path.Combine([Root, .. parts]);
}
