using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CapaKit.Tool.Tests.Support;

namespace CapaKit.Tool.Tests.Runtime;

/// <summary>
/// A Kit imported from a package: the probe Kit is packed into the test feed, and an outer Kit imports it by
/// PackageReference, runs it with `up`, and is called through its gateway.
/// </summary>
[TestClass]
public sealed class ImportedKitTests
{
    [TestMethod]
    public void AnImportedKitRunsAsItsOwnSandboxesAndIsReachedOnlyThroughItsExposedPaths()
    {
        var probeId = "Acme.Probe" + Guid.NewGuid().ToString("N")[..6];
        PackProbe(probeId);

        var outer = TestKit.Create("outer", $$$"""
            version: '1'
            name: outer
            dependencies:
              inner:
                source: {package: {{{probeId}}}}
            workloads:
              front:
                import: {dependency: inner, exposed_path: /target}
              view:
                import: {dependency: inner, exposed_path: /caller}
              edge:
                endpoints: [http]
                connections: [front]
                runtime:
                  source:
                    toolchain: bun
                    start: {command: bun run probe.ts}
            expose:
              - {path: /edge, target: edge, endpoints: [http]}
              - {path: /front, target: front, endpoints: [http]}
              - {path: /view, target: view, endpoints: [http]}
            """,
            new Dictionary<string, IReadOnlyDictionary<string, string>> { ["edge"] = RuntimeKits.ProbeWorkload("edge") },
            projectBody: $"<ItemGroup><PackageReference Include=\"{probeId}\" Version=\"1.0.0\" /></ItemGroup>");

        using var home = new TempHome();
        var tool = new Capakit(outer, home.Path);
        var token = "imported-token-" + Guid.NewGuid().ToString("N");
        try
        {
            // The imported Kit's secrets are the importer's to hold, under the alias; the importer's own secret of the
            // same name (it has none here) would be another secret.
            tool.SetSecret("inner.token", token);
            var gateway = tool.Up();
            using var http = GatewayHttp.Client(gateway);

            // The importer's workload reaches the imported exposed path under its import workload's name.
            var edge = http.GetJson("/edge/probe/connect");
            var fromEdge = edge.GetProperty("connected").EnumerateArray().ToList();
            Assert.HasCount(1, fromEdge, edge.ToString());
            Assert.AreEqual("front", fromEdge[0].GetProperty("workloadMid").GetString());
            Assert.AreEqual(200, fromEdge[0].GetProperty("http").GetProperty("status").GetInt32(), edge.ToString());
            Assert.AreEqual("inner.target", WorkloadIn(fromEdge[0]));

            // Inside the import, its own connection keeps the name its manifest gives it.
            var view = http.GetJson("/view/probe/connect");
            Assert.AreEqual("inner.caller", view.GetProperty("workload").GetString());
            var fromCaller = view.GetProperty("connected").EnumerateArray().ToList();
            Assert.HasCount(1, fromCaller, view.ToString());
            Assert.AreEqual("target", fromCaller[0].GetProperty("workloadMid").GetString());
            Assert.AreEqual("inner.target", WorkloadIn(fromCaller[0]));

            // The imported workload resolves the secret its manifest grants it by its own name, from the importer's store.
            var secret = http.GetJson("/view/probe/secret?name=token");
            Assert.IsTrue(secret.GetProperty("ok").GetBoolean(), secret.ToString());
            Assert.AreEqual(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token))), secret.GetProperty("sha256").GetString());
            var denied = http.GetJson("/front/probe/secret?name=token");
            Assert.IsFalse(denied.GetProperty("ok").GetBoolean(), "target is granted no secret: " + denied);

            // Every imported workload is a sandbox of its own, named under the alias.
            var ps = tool.Run("ps", "--format", "json");
            Assert.AreEqual(0, ps.ExitCode, ps.ToString());
            foreach (var workload in new[] { "edge", "inner.caller", "inner.target", "inner.loner" })
            {
                StringAssert.Contains(ps.StandardOutput, $"\"{workload}\"", ps.ToString());
            }

            // logs too: the imported target's log, under the import workload's name.
            var logs = tool.Run("logs", "front");
            Assert.AreEqual(0, logs.ExitCode, logs.ToString());
            StringAssert.Contains(logs.StandardOutput, "[inner.target] probe listening", logs.ToString());

            // exec accepts the import workload's name for the workload behind it.
            var exec = tool.Run("exec", "front", "--", "bun", "-e", "console.log(process.env.CAPAKIT_WORKLOAD_MID + ' ' + process.cwd())");
            Assert.AreEqual(0, exec.ExitCode, exec.ToString());
            StringAssert.Contains(exec.StandardOutput, $"inner.target {Path.Combine(outer.Directory, "obj", "capakit-imports", "inner", "workloads", "target")}");
        }
        finally
        {
            tool.Down();
        }
    }

    [TestMethod]
    public void UpOfAPackagedKitRunsTheKitsItImportsByPath()
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var probeId = "Acme.Probe" + suffix;
        var mallId = "Acme.Mall" + suffix;
        // The probe's target alone: a Kit without secrets, so the package runs with no setup.
        var probe = TestKit.Create("target", """
            version: '1'
            name: target
            workloads:
              target:
                endpoints: [http]
                runtime: {source: {toolchain: bun, start: {command: bun run probe.ts}}}
            expose:
              - {path: /target, target: target, endpoints: [http]}
            """,
            new Dictionary<string, IReadOnlyDictionary<string, string>>
            {
                ["target"] = RuntimeKits.ProbeWorkload("target"),
            },
            projectBody: $"<PropertyGroup><PackageId>{probeId}</PackageId><Version>1.0.0</Version></PropertyGroup>", pack: true);
        TestKit.Create("mall", $$$"""
            version: '1'
            name: mall
            dependencies:
              inner:
                source: {path: {{{probe.ProjectFile}}} }
            workloads:
              front:
                import: {dependency: inner, exposed_path: /target}
            expose:
              - {path: /front, target: front, endpoints: [http]}
            """, new Dictionary<string, IReadOnlyDictionary<string, string>>(),
            projectBody: $"""
                <PropertyGroup><PackageId>{mallId}</PackageId><Version>1.0.0</Version></PropertyGroup>
                <ItemGroup><ProjectReference Include="{probe.ProjectFile}" /></ItemGroup>
                """,
            pack: true);

        // No project, no clone: the mall package is fetched, and its path import resolves to the probe package.
        var workspace = Packages.KitPackageFeed.NewWorkspace(feedInNuGetConfig: false);
        try
        {
            var up = workspace.Run("up", mallId, "--source", TestMachine.Feed, "-d");
            Assert.AreEqual(0, up.ExitCode, up.ToString());
            var gateway = new Uri(System.Text.RegularExpressions.Regex.Match(up.All, @"http://127\.0\.0\.1:\d+/").Value);
            using var http = GatewayHttp.Client(gateway);
            Assert.AreEqual("inner.target", http.GetJson("/front/probe/whoami").GetProperty("workload").GetString());
        }
        finally
        {
            workspace.Run("down", mallId);
        }
    }

    [TestMethod]
    public void UpOfAPackageInTheBackgroundSaysWhyItCouldNotStart()
    {
        var probeId = "Acme.Probe" + Guid.NewGuid().ToString("N")[..6];
        PackProbe(probeId);
        var workspace = Packages.KitPackageFeed.NewWorkspace(feedInNuGetConfig: false);
        try
        {
            // The probe Kit needs the secret 'token', and nobody set it for the package's generated project.
            var up = workspace.Run("up", probeId, "--source", TestMachine.Feed, "-d");
            Assert.AreEqual(2, up.ExitCode, up.ToString());
            StringAssert.Contains(up.StandardError, $"The Kit needs the secret 'token', which has no value; set it with `dotnet capakit secrets set token --kit {probeId}@1.0.0`", up.ToString());

            // Every command takes the package id for --kit once the package has run here.
            var build = workspace.Run("build", "--kit", probeId, "--format", "json");
            Assert.AreEqual(0, build.ExitCode, build.ToString());
            StringAssert.Contains(build.StandardOutput, "\"token\"", build.ToString());
            var unknown = workspace.Run("build", "--kit", "Acme.NeverRan");
            Assert.AreEqual(2, unknown.ExitCode, unknown.ToString());
            StringAssert.Contains(unknown.StandardError, "Kit package Acme.NeverRan has not been run here; start it with: dotnet capakit up Acme.NeverRan");
        }
        finally
        {
            workspace.Run("down", probeId);
        }
    }

    private static TestKit PackProbe(string packageId) =>
        RuntimeKits.Probe($"<PropertyGroup><PackageId>{packageId}</PackageId><Version>1.0.0</Version></PropertyGroup>", pack: true);

    [TestMethod]
    public void DeletedImportRootsAreRestoredByTheNextCommand()
    {
        var probeId = "Acme.Probe" + Guid.NewGuid().ToString("N")[..6];
        PackProbe(probeId);
        var outer = TestKit.Create("outer", $$$"""
            version: '1'
            name: outer
            dependencies:
              inner:
                source: {package: {{{probeId}}}}
            workloads:
              front:
                import: {dependency: inner, exposed_path: /target}
            """, new Dictionary<string, IReadOnlyDictionary<string, string>>(),
            projectBody: $"<ItemGroup><PackageReference Include=\"{probeId}\" Version=\"1.0.0\" /></ItemGroup>");
        var imports = Path.Combine(outer.Directory, "obj", "capakit-imports");
        Directory.Delete(imports, recursive: true);

        var exec = new Capakit(outer).Run("exec", "front", "--", "true");
        Assert.AreEqual(0, exec.ExitCode, exec.ToString());
        Assert.IsTrue(File.Exists(Path.Combine(imports, "inner", "workloads", "target", "probe.ts")), "the build copied the package's sources again");
    }

    [TestMethod]
    public void AnEditedImportedManifestMakesTheImporterStale()
    {
        var runtime = new Dictionary<string, IReadOnlyDictionary<string, string>> { ["w"] = new Dictionary<string, string> { ["index.ts"] = "console.log(1);\n" } };
        const string Inner = """
            version: '1'
            name: inner
            workloads:
              w:
                endpoints: [http]
                runtime: {source: {toolchain: bun, start: {command: bun run index.ts}}}
            expose:
              - {path: /w, target: w, endpoints: [http]}
            """;
        var inner = TestKit.Create("inner", Inner, runtime);
        var outer = TestKit.Create("outer", $$"""
            version: '1'
            name: outer
            dependencies:
              inner:
                source: {path: {{inner.ProjectFile}} }
            workloads:
              front:
                import: {dependency: inner, exposed_path: /w}
            """, new Dictionary<string, IReadOnlyDictionary<string, string>>(),
            projectBody: $"<ItemGroup><ProjectReference Include=\"{inner.ProjectFile}\" /></ItemGroup>");
        var project = CapaKit.Tool.Kits.KitProject.Locate(outer.ProjectFile, outer.Directory);
        Assert.IsTrue(CapaKit.Tool.Kits.KitBuilder.IsFresh(project), "just built");

        File.WriteAllText(Path.Combine(inner.Directory, "capability.yml"), Inner.Replace("endpoints: [http]\n    runtime", "endpoints: [http, mcp]\n    runtime"));
        File.SetLastWriteTimeUtc(Path.Combine(inner.Directory, "capability.yml"), DateTime.UtcNow.AddSeconds(5));
        Assert.IsFalse(CapaKit.Tool.Kits.KitBuilder.IsFresh(project), "the imported manifest changed after the build");

        var build = new Capakit(outer).Run("build", "--format", "json");
        Assert.AreEqual(0, build.ExitCode, build.ToString());
        StringAssert.Contains(File.ReadAllText(Path.Combine(outer.Directory, "bin", "Debug", "kit", "kit.json")), "\"protocol\": \"mcp\"");
    }

    private static string? WorkloadIn(JsonElement connected) =>
        JsonDocument.Parse(connected.GetProperty("http").GetProperty("body").GetString()!).RootElement.GetProperty("workload").GetString();
}
