using System.IO.Compression;
using System.Text.Json;
using System.Xml.Linq;

namespace CapaKit.Sdk.Tests;

/// <summary>Kits importing Kits through real restores, packs and project references.</summary>
[TestClass]
public sealed class KitImportBuildTests
{
    private static string Store(string name) => $"""
        version: '1'
        name: {name}
        license: Apache-2.0
        options:
          capacity: {"{"}kind: number, default: 10{"}"}
        workloads:
          server:
            endpoints: [http]
            runtime:
              source:
                toolchain: bun
                prepare: {"{"}command: bun install{"}"}
                start:
                  command: bun run index.ts
                  env_from_options: {"{"}CAPACITY: capacity{"}"}
        expose:
          - {"{"}path: /kv, target: server, endpoints: [http]{"}"}
        """;

    private static string Importer(string name, string source) => $"""
        version: '1'
        name: {name}
        options:
          size: {"{"}kind: number, default: 3{"}"}
        dependencies:
          kv:
            source: {source}
            options: {"{"}capacity: {"{"}from_option: size{"}"}{"}"}
        workloads:
          store:
            import: {"{"}dependency: kv, exposed_path: /kv{"}"}
          api:
            endpoints: [http]
            connections: [store]
            runtime: {"{"}source: {"{"}toolchain: bun, start: {"{"}command: bun run index.ts{"}"}{"}"}{"}"}
        expose:
          - {"{"}path: /, target: api, endpoints: [http]{"}"}
          - {"{"}path: /kv, target: store, endpoints: [http]{"}"}
        """;

    private static string UniqueId(string stem) => $"Acme.{stem}{Guid.NewGuid().ToString("N")[..6]}";

    private static JsonElement Model(KitProject kit) => JsonDocument.Parse(kit.ReadModel()).RootElement;

    [TestMethod]
    public void AKitPackageHoldsTheKitAndNothingSecretOrBuilt()
    {
        var id = UniqueId("Contents");
        var kit = new KitProject("contents", Store("contents"), "server");
        kit.SetProjectBody($"<PropertyGroup><PackageId>{id}</PackageId><Version>1.4.0</Version><Description>A store.</Description></PropertyGroup>");
        var root = Path.Combine(kit.Directory, "workloads", "server");
        foreach (var (file, text) in new[]
                 {
                     ("package.json", "{}"), ("bun.lock", "{}"), (".npmrc", "registry=https://registry.example/\n"),
                     (".env", "TOKEN=secret\n"), ("server.key", "key"), ("client.pem", "pem"),
                     ("node_modules/left-pad/index.js", "1"), (".capakit/home/x", "x"),
                 })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(root, file))!);
            File.WriteAllText(Path.Combine(root, file), text);
        }
        Directory.CreateDirectory(Path.Combine(kit.Directory, "skills", "use-store"));
        File.WriteAllText(Path.Combine(kit.Directory, "skills", "use-store", "SKILL.md"), "---\nname: use-store\ndescription: Use the store.\n---\nCall /kv.\n");
        File.WriteAllText(Path.Combine(kit.Directory, "capability-test.yml"), "tests: []\n");
        File.WriteAllText(Path.Combine(kit.Directory, "README.md"), "# Store\n");

        kit.Pack().AssertSuccess("dotnet pack");

        using var zip = ZipFile.OpenRead(Path.Combine(SdkFeed.Feed, $"{id}.1.4.0.nupkg"));
        var entries = zip.Entries.Select(e => e.FullName).Order().ToList();
        var listing = string.Join("\n", entries);
        foreach (var expected in new[]
                 {
                     "kit/capability.yml", "kit/capability-test.yml", "kit/skills/use-store/SKILL.md", "README.md",
                     "kit/workloads/server/index.ts", "kit/workloads/server/package.json", "kit/workloads/server/bun.lock", "kit/workloads/server/.npmrc",
                 })
        {
            CollectionAssert.Contains(entries, expected, listing);
        }
        Assert.IsFalse(entries.Any(e => e.Contains("node_modules") || e.Contains(".capakit/")), "installs packed:\n" + listing);
        Assert.IsFalse(entries.Any(e => e.EndsWith(".key") || e.EndsWith(".pem") || e.EndsWith(".env")), "keys or env files packed:\n" + listing);
        Assert.IsFalse(entries.Any(e => e.StartsWith("bin/") || e.StartsWith("obj/") || e.Contains("certs/") || e.StartsWith("lib/")), "build output packed:\n" + listing);

        using var nuspecStream = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec")).Open();
        var nuspec = XDocument.Load(nuspecStream);
        XNamespace ns = nuspec.Root!.Name.Namespace;
        var metadata = nuspec.Root.Element(ns + "metadata")!;
        Assert.AreEqual("CapaKit", metadata.Element(ns + "packageTypes")!.Element(ns + "packageType")!.Attribute("name")!.Value);
        Assert.AreEqual("Apache-2.0", metadata.Element(ns + "license")!.Value, "the manifest's license");
        Assert.AreEqual("README.md", metadata.Element(ns + "readme")!.Value);
        Assert.AreEqual("A store.", metadata.Element(ns + "description")!.Value);
    }

    [TestMethod]
    public void APackageImportNeedsAPackageReferenceAndThenCompilesTheImportIn()
    {
        var id = UniqueId("Store");
        var store = new KitProject("store", Store("store"), "server");
        store.SetProjectBody($"<PropertyGroup><PackageId>{id}</PackageId><Version>1.0.0</Version></PropertyGroup>");
        store.Pack().AssertSuccess("pack the imported Kit");

        var shop = new KitProject("shop", Importer("shop", $"{{package: {id}}}"), "api");
        var missing = shop.Build();
        Assert.AreNotEqual(0, missing.ExitCode);
        StringAssert.Contains(missing.Output, $"capability.yml(7,23): error CAPA0181: Dependency 'kv' names the package '{id}', which this project does not reference; add it with: dotnet add \"{shop.ProjectFile}\" package {id}");

        DotnetCli.Run(shop.Directory, "add", shop.ProjectFile, "package", id).AssertSuccess("dotnet add package");
        shop.Build().AssertSuccess("build with the reference");

        var model = Model(shop);
        var server = model.GetProperty("workloads").GetProperty("kv.server");
        var root = server.GetProperty("root").GetString()!;
        Assert.AreEqual(Path.Combine(shop.Directory, "obj", "capakit-imports", "kv", "workloads", "server"), root, "a package Kit runs from the build's own copy");
        Assert.IsTrue(File.Exists(Path.Combine(root, "index.ts")));
        Assert.AreEqual("size", server.GetProperty("phases").GetProperty("start").GetProperty("envFromOptions").GetProperty("CAPACITY").GetString());
        Assert.AreEqual("1.0.0", model.GetProperty("dependencies").GetProperty("kv").GetProperty("version").GetString());
        Assert.AreEqual("kv.server", model.GetProperty("workloadAliases").GetProperty("store").GetString());
        Assert.IsTrue(File.Exists(shop.Bundle("certs/kv.server.key")), "the importer mints the import's certificate");

        // Nothing changed: the second build skips the compile.
        var again = shop.Build("-v:d");
        again.AssertSuccess("second build");
        StringAssert.Contains(again.Output, "Skipping target \"CapaKitCompile\"");
    }

    [TestMethod]
    public void AProjectReferenceImportsALocalKitAndItsChangesRebuildTheImporter()
    {
        var workspace = SdkFeed.NewWorkspace("local");
        var store = KitProject.In(workspace, "store", Store("store"), "server");
        var shop = KitProject.In(workspace, "shop", Importer("shop", "{path: ../store/store.kitproj}"), "api");

        var missing = shop.Build();
        Assert.AreNotEqual(0, missing.ExitCode);
        StringAssert.Contains(missing.Output, $"error CAPA0182: Dependency 'kv' imports the Kit project '../store/store.kitproj', which this project does not reference; add it with: dotnet add \"{shop.ProjectFile}\" reference \"{store.ProjectFile}\"");

        DotnetCli.Run(shop.Directory, "add", shop.ProjectFile, "reference", store.ProjectFile).AssertSuccess("dotnet add reference");
        shop.Build().AssertSuccess("build with the reference");
        var server = Model(shop).GetProperty("workloads").GetProperty("kv.server");
        Assert.AreEqual(Path.Combine(store.Directory, "workloads", "server"), server.GetProperty("root").GetString());

        File.WriteAllText(store.ManifestFile, File.ReadAllText(store.ManifestFile).Replace("endpoints: [http]\n    runtime", "endpoints: [http, mcp]\n    runtime"));
        shop.Build().AssertSuccess("build after the imported manifest changed");
        StringAssert.Contains(Model(shop).GetProperty("workloads").GetProperty("kv.server").GetProperty("endpoints").ToString(), "mcp");
    }

    [TestMethod]
    public void APackedKitCarriesItsProjectImportsAsPackagesAndImportsResolveTransitively()
    {
        var workspace = SdkFeed.NewWorkspace("transitive");
        var storeId = UniqueId("Store");
        var mallId = UniqueId("Mall");
        var store = KitProject.In(workspace, "store", Store("store"), "server");
        store.SetProjectBody($"<PropertyGroup><PackageId>{storeId}</PackageId><Version>1.0.0</Version></PropertyGroup>");
        var mall = KitProject.In(workspace, "mall", Importer("mall", "{path: ../store}"), "api");
        mall.SetProjectBody($"""
            <PropertyGroup><PackageId>{mallId}</PackageId><Version>2.0.0</Version></PropertyGroup>
            <ItemGroup><ProjectReference Include="../store/store.kitproj" /></ItemGroup>
            """);
        store.Pack().AssertSuccess("pack store");
        // Built in Debug, packed without a build (in Release): the pack still carries kit/imports.json.
        mall.Build().AssertSuccess("build mall");
        mall.Pack("--no-build").AssertSuccess("pack mall");
        using (var zip = ZipFile.OpenRead(Path.Combine(SdkFeed.Feed, $"{mallId}.2.0.0.nupkg")))
        {
            using var reader = new StreamReader(zip.GetEntry("kit/imports.json")!.Open());
            var imports = JsonDocument.Parse(reader.ReadToEnd()).RootElement;
            Assert.AreEqual(storeId, imports.GetProperty("kv").GetProperty("package").GetString());
        }

        var city = new KitProject("city", $$$"""
            version: '1'
            name: city
            options:
              size: {kind: number, default: 7}
            dependencies:
              mall:
                source: {package: {{{mallId}}}}
                options: {size: {from_option: size}}
            workloads:
              front:
                import: {dependency: mall, exposed_path: /kv}
            expose:
              - {path: /, target: front, endpoints: [http]}
            """);
        DotnetCli.Run(city.Directory, "add", city.ProjectFile, "package", mallId).AssertSuccess("dotnet add package");
        city.Build().AssertSuccess("build the city");
        var model = Model(city);
        CollectionAssert.AreEqual(new[] { "mall.api", "mall.kv.server" }, model.GetProperty("workloads").EnumerateObject().Select(p => p.Name).ToArray());
        Assert.AreEqual("mall.kv.server", model.GetProperty("expose")[0].GetProperty("target").GetString());
        Assert.AreEqual(Path.Combine(city.Directory, "obj", "capakit-imports", "mall.kv", "workloads", "server"),
            model.GetProperty("workloads").GetProperty("mall.kv.server").GetProperty("root").GetString());
    }

    [TestMethod]
    public void KitVersionsTheImportGraphCannotAgreeOnAreAnError()
    {
        var workspace = SdkFeed.NewWorkspace("versions");
        var storeId = UniqueId("Store");
        var mallId = UniqueId("Mall");
        var store = KitProject.In(workspace, "store", Store("store"), "server");
        foreach (var version in new[] { "1.0.0", "2.0.0" })
        {
            store.SetProjectBody($"<PropertyGroup><PackageId>{storeId}</PackageId><Version>{version}</Version></PropertyGroup>");
            store.Pack().AssertSuccess("pack store " + version);
        }
        var mall = KitProject.In(workspace, "mall", Importer("mall", $"{{package: {storeId}}}"), "api");
        mall.SetProjectBody($"""
            <PropertyGroup><PackageId>{mallId}</PackageId><Version>1.0.0</Version></PropertyGroup>
            <ItemGroup><PackageReference Include="{storeId}" Version="[1.0.0]" /></ItemGroup>
            """);
        mall.Pack().AssertSuccess("pack mall, pinned to store 1.0.0");

        var city = KitProject.In(workspace, "city", $$$"""
            version: '1'
            name: city
            dependencies:
              mall: {source: {package: {{{mallId}}}}}
              store: {source: {package: {{{storeId}}}}}
            workloads:
              front:
                import: {dependency: mall, exposed_path: /kv}
            """);
        city.SetProjectBody($"""
            <ItemGroup>
              <PackageReference Include="{mallId}" Version="1.0.0" />
              <PackageReference Include="{storeId}" Version="2.0.0" />
            </ItemGroup>
            """);
        var result = city.Build();
        Assert.AreNotEqual(0, result.ExitCode, result.Output);
        StringAssert.Contains(result.Output, $"error CAPA0193: Kit package {mallId} 1.0.0 needs {storeId} [1.0.0], but the import graph resolved {storeId} 2.0.0");
    }
}
