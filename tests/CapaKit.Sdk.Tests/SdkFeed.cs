namespace CapaKit.Sdk.Tests;

/// <summary>
/// A local NuGet feed holding the freshly built CapaKit.Sdk package, and a private global packages folder,
/// so tests never read or pollute the user's NuGet cache.
/// </summary>
[TestClass]
public static class SdkFeed
{
    public static string RepoRoot { get; private set; } = "";
    public static string Root { get; private set; } = "";
    public static string Feed { get; private set; } = "";
    public static string Version { get; private set; } = "";

    [AssemblyInitialize]
    public static void Create(TestContext _)
    {
        RepoRoot = CapaKit.Testing.RepoRoot.Path;
        var package = Directory.EnumerateFiles(Path.Combine(RepoRoot, "artifacts", "packages"), "CapaKit.Sdk.*.nupkg")
            .OrderByDescending(File.GetLastWriteTimeUtc)
            .FirstOrDefault() ?? throw new InvalidOperationException("CapaKit.Sdk was not packed; build the solution first.");
        Version = Path.GetFileNameWithoutExtension(package)["CapaKit.Sdk.".Length..];
        Root = Path.Combine(Path.GetTempPath(), "capakit-sdk-tests-" + Guid.NewGuid().ToString("N")[..8]);
        Feed = Path.Combine(Root, "feed");
        Directory.CreateDirectory(Feed);
        File.Copy(package, Path.Combine(Feed, Path.GetFileName(package)));
    }

    [AssemblyCleanup]
    public static void Delete()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }

    /// <summary>A new folder with a nuget.config that sees only the local feed and a private package cache.</summary>
    public static string NewWorkspace(string name)
    {
        var workspace = Path.Combine(Root, name + "-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(workspace);
        File.WriteAllText(Path.Combine(workspace, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config>
                <add key="globalPackagesFolder" value="{Path.Combine(Root, "packages")}" />
              </config>
              <packageSources>
                <clear />
                <add key="local" value="{Feed}" />
              </packageSources>
            </configuration>
            """);
        // Stop MSBuild from walking up into any Directory.Build.* above the temp folder.
        File.WriteAllText(Path.Combine(workspace, "Directory.Build.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(workspace, "Directory.Build.targets"), "<Project />\n");
        File.WriteAllText(Path.Combine(workspace, "Directory.Packages.props"), "<Project />\n");
        return workspace;
    }
}
