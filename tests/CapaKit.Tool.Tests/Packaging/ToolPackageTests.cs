using System.Diagnostics;
using CapaKit.Tool.Tests.Support;

namespace CapaKit.Tool.Tests.Packaging;

/// <summary>The tool packs as a .NET tool whose command is `dotnet-capakit`, so `dotnet capakit` works once installed.</summary>
[TestClass]
public sealed class ToolPackageTests
{
    [TestMethod]
    public void PacksInstallsAndRunsAsADotnetTool()
    {
        var work = Directory.CreateTempSubdirectory("capakit-toolpack-").FullName;
        try
        {
            var project = Path.Combine(TestMachine.RepoRoot, "tool", "CapaKit.Tool", "CapaKit.Tool.csproj");
            Run("dotnet", "pack", project, "-c", "Debug", "-o", Path.Combine(work, "feed"), "-nologo", "-v:q");
            var package = Directory.GetFiles(Path.Combine(work, "feed"), "CapaKit.Tool.*.nupkg").Single();
            using (var zip = System.IO.Compression.ZipFile.OpenRead(package))
            {
                var settings = zip.Entries.Single(e => e.FullName.EndsWith("DotnetToolSettings.xml", StringComparison.Ordinal));
                using var reader = new StreamReader(settings.Open());
                StringAssert.Contains(reader.ReadToEnd(), "<Command Name=\"dotnet-capakit\"");
            }

            var tools = Path.Combine(work, "tools");
            Run("dotnet", "tool", "install", "CapaKit.Tool", "--tool-path", tools, "--add-source", Path.Combine(work, "feed"), "--version", TestMachine.SdkVersion);
            var version = Run(Path.Combine(tools, "dotnet-capakit"), "--version");
            StringAssert.StartsWith(version.Trim(), TestMachine.SdkVersion);
            var help = Run(Path.Combine(tools, "dotnet-capakit"), "--help");
            foreach (var command in new[] { "exec", "up", "down", "ps", "logs", "test", "secrets", "doctor", "build" })
            {
                StringAssert.Contains(help, "  " + command, $"--help does not list {command}");
            }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static string Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.AreEqual(0, process.ExitCode, $"{file} {string.Join(' ', args)}:\n{stdout}\n{stderr.Result}");
        return stdout;
    }
}
