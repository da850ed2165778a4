using System.Diagnostics;

namespace CapaKit.Tool.Tests.Support;

/// <summary>
/// A Kit built for a test with the packed CapaKit.Sdk, in its own folder, owned by whoever will run it: a sandbox
/// can write only files its caller owns (the caller's capabilities do not reach into the user namespace).
/// </summary>
public sealed class TestKit
{
    private TestKit(string directory, string name)
    {
        Directory = directory;
        Name = name;
    }

    public string Directory { get; }
    public string Name { get; }
    public string ProjectFile => Path.Combine(Directory, Name + ".kitproj");

    public string WorkloadRoot(string workload) => Path.Combine(Directory, "workloads", workload);

    /// <summary>Writes the Kit (manifest, workload files), builds it with `dotnet build`, and gives it to <paramref name="owner"/>.</summary>
    /// <param name="projectBody">Elements inside the .kitproj's &lt;Project&gt; (package id, package references).</param>
    /// <param name="pack">Also `dotnet pack` the Kit into the test feed, so other test Kits can import it.</param>
    public static TestKit Create(string name, string manifest, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> workloads, RunAs owner = RunAs.Root,
        string projectBody = "", bool pack = false)
    {
        var directory = Path.Combine(TestMachine.Root, $"{name}-{Guid.NewGuid().ToString("N")[..6]}");
        System.IO.Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config><add key="globalPackagesFolder" value="{TestMachine.Packages}" /></config>
              <packageSources><clear /><add key="local" value="{TestMachine.Feed}" /></packageSources>
            </configuration>
            """);
        foreach (var file in new[] { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props" })
        {
            File.WriteAllText(Path.Combine(directory, file), "<Project />\n");
        }
        File.WriteAllText(Path.Combine(directory, name + ".kitproj"), $"<Project Sdk=\"CapaKit.Sdk/{TestMachine.SdkVersion}\">\n{projectBody}\n</Project>\n");
        File.WriteAllText(Path.Combine(directory, "capability.yml"), manifest);
        foreach (var (workload, files) in workloads)
        {
            foreach (var (relative, content) in files)
            {
                var path = Path.Combine(directory, "workloads", workload, relative);
                System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllText(path, content);
            }
            System.IO.Directory.CreateDirectory(Path.Combine(directory, "workloads", workload));
        }

        Dotnet(directory, $"building test kit {name}", "build", name + ".kitproj", "-nologo", "-v:q");
        if (pack)
        {
            Dotnet(directory, $"packing test kit {name}", "pack", name + ".kitproj", "-nologo", "-v:q", "-o", TestMachine.Feed);
        }
        if (owner == RunAs.User)
        {
            TestMachine.Run("chown", "-R", $"{TestMachine.UserName}:{TestMachine.UserName}", directory);
        }
        return new TestKit(directory, name);
    }

    /// <summary>Runs `dotnet` in <paramref name="directory"/> (no build server left behind); throws with its output when it fails.</summary>
    internal static void Dotnet(string directory, string what, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd() + stderr.GetAwaiter().GetResult();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{what} failed:\n{output}");
        }
    }
}
