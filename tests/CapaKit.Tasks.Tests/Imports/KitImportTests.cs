using CapaKit.Bundle;
using CapaKit.Tasks.Compilation;
using CapaKit.Tasks.Diagnostics;
using CapaKit.Tasks.Imports;

namespace CapaKit.Tasks.Tests.Imports;

/// <summary>Imports of local Kit projects, compiled for real into bundles on disk.</summary>
[TestClass]
public sealed class KitImportTests
{
    private const string Store = """
        version: '1'
        name: store
        options:
          capacity: {kind: number, default: 10}
          mode: {kind: enum, enum_values: [fast, safe], default: safe}
          region: {kind: string}
        host_mounts:
          data: {usage: where the store keeps its files, access: read_write}
        secrets:
          store_key: {description: encrypts the data}
        workloads:
          server:
            endpoints: [http, mcp]
            connections: [index]
            mounts: [{mount_mid: data}]
            secrets: [store_key]
            runtime:
              source:
                toolchain: bun
                start:
                  command: bun run index.ts
                  env_from_options: {CAPACITY: capacity, MODE: mode, REGION: region}
          index:
            endpoints: [http]
            runtime: {source: {toolchain: bun, start: {command: bun run index.ts}}}
        expose:
          - {path: /kv, target: server, endpoints: [http, mcp]}
        """;

    private const string Shop = """
        version: '1'
        name: shop
        options:
          size: {kind: number, default: 3}
        host_mounts:
          files: {access: read_write}
        dependencies:
          kv:
            source: {path: ../store/store.kitproj}
            options:
              capacity: {from_option: size}
            mount_bindings:
              data: files
        workloads:
          cache:
            import: {dependency: kv, exposed_path: /kv}
          api:
            endpoints: [http]
            connections: [cache]
            runtime: {source: {toolchain: bun, start: {command: bun run index.ts}}}
        expose:
          - {path: /, target: api, endpoints: [http]}
          - {path: /cache, target: cache, endpoints: [mcp]}
        """;

    private static (CompileResult Result, DiagnosticBag Diagnostics) Compile(KitReference kit, params KitReference[] references)
    {
        var diagnostics = new DiagnosticBag();
        var result = KitCompiler.Compile(kit.ManifestFile, kit.BundleDirectory, "9.9.9", kit.ProjectFile, diagnostics, DateTimeOffset.UtcNow,
            references: new KitReferenceInputs { ProjectReferences = references.Select(r => r.AsProjectReference("Acme." + Path.GetFileNameWithoutExtension(r.ProjectFile), "1.2.3")).ToList() });
        return (result, diagnostics);
    }

    private static KitBundle CompileOk(KitReference kit, params KitReference[] references)
    {
        var (result, diagnostics) = Compile(kit, references);
        Assert.IsFalse(diagnostics.HasErrors, string.Join("\n", diagnostics.Items));
        return result.Bundle!;
    }

    private static Diagnostic SingleError(KitReference kit, params KitReference[] references)
    {
        var (result, diagnostics) = Compile(kit, references);
        Assert.IsNull(result.Bundle);
        return diagnostics.Items.Single(d => d.IsError);
    }

    [TestMethod]
    public void AnImportedKitsWorkloadsRunUnderTheAliasWithTheImportersIdentity()
    {
        using var workspace = new KitWorkspace();
        var store = workspace.Kit("store", Store, "server", "index");
        var shop = workspace.Kit("shop", Shop, "api");
        var bundle = CompileOk(shop, store);

        CollectionAssert.AreEqual(new[] { "api", "kv.index", "kv.server" }, bundle.Workloads.Keys.ToArray());
        var server = bundle.Workloads["kv.server"];
        Assert.AreEqual(Path.Combine(workspace.Root, "store", "workloads", "server"), server.Root);
        Assert.AreEqual("kv", server.ImportedFrom);
        Assert.AreEqual("spiffe://shop.capakit.local/kv.server", server.Identity.SpiffeId);
        Assert.AreEqual("certs/kv.server.pem", server.Identity.Certificate);
        Assert.AreEqual("policies/kv.server.start.linux.json", server.Phases["start"].LinuxSpec);
        Assert.IsTrue(File.Exists(Path.Combine(shop.BundleDirectory, "certs", "kv.server.key")), "the importer mints the imported workload's key");
        Assert.IsTrue(File.Exists(Path.Combine(shop.BundleDirectory, "policies", "kv.server.start.linux.json")));
        var spec = BundleFormat.ReadLinuxSpec(Path.Combine(shop.BundleDirectory, "policies", "kv.server.start.linux.json"));
        Assert.AreEqual(server.Root, spec.Root, "the sandbox root is the imported Kit's workload folder");

        // The imported Kit's own peers keep the names its code knows them by.
        CollectionAssert.AreEqual(new[] { "kv.index" }, server.Connections);
        CollectionAssert.AreEqual(new[] { "index" }, server.ConnectionNames["kv.index"]);
        // The importer reaches the exposed path's workload under its import workload's name.
        CollectionAssert.AreEqual(new[] { "kv.server" }, bundle.Workloads["api"].Connections);
        CollectionAssert.AreEqual(new[] { "cache" }, bundle.Workloads["api"].ConnectionNames["kv.server"]);
        Assert.AreEqual("kv.server", bundle.WorkloadAliases["cache"]);
        Assert.AreEqual("kv.server", bundle.Expose.Single(e => e.Path == "/cache").Target);
        Assert.AreSame(server, bundle.FindWorkload("cache"));
        Assert.IsTrue(bundle.StartOrder.IndexOf("kv.server") < bundle.StartOrder.IndexOf("api"), string.Join(",", bundle.StartOrder));
        Assert.IsTrue(bundle.StartOrder.IndexOf("kv.index") < bundle.StartOrder.IndexOf("kv.server"), string.Join(",", bundle.StartOrder));
    }

    [TestMethod]
    public void AnImportedKitsInstallKeepsItsOwnRegistries()
    {
        using var workspace = new KitWorkspace();
        // The store's index workload installs from its own registry.
        var store = workspace.Kit("store", Store.Replace(
            "runtime: {source: {toolchain: bun, start:",
            "runtime: {source: {toolchain: bun, prepare: {command: bun install, registries: [npm.store.example.com]}, start:",
            StringComparison.Ordinal), "server", "index");
        var shop = workspace.Kit("shop", Shop, "api");

        var bundle = CompileOk(shop, store);

        CollectionAssert.AreEqual(new[] { "npm.store.example.com" }, bundle.Workloads["kv.index"].Phases["prepare"].Registries);
        var spec = BundleFormat.ReadLinuxSpec(Path.Combine(shop.BundleDirectory, "policies", "kv.index.prepare.linux.json"));
        CollectionAssert.AreEqual(new[] { "npm.store.example.com" }, spec.EgressAllowlist, "the importer neither widens nor replaces an imported install's registries");
    }

    [TestMethod]
    public void OptionsMountsAndSecretsAreWiredThroughTheImporter()
    {
        using var workspace = new KitWorkspace();
        var store = workspace.Kit("store", Store, "server", "index");
        var shop = workspace.Kit("shop", Shop, "api");
        var bundle = CompileOk(shop, store);

        var env = bundle.Workloads["kv.server"].Phases["start"].EnvFromOptions;
        Assert.AreEqual("size", env["CAPACITY"], "from_option feeds the import from the importer's option");
        Assert.AreEqual("kv.mode", env["MODE"], "an unwired option stays the import's own, under the alias");
        Assert.AreEqual("kv.region", env["REGION"]);
        Assert.AreEqual("safe", bundle.Options["kv.mode"].Default);
        Assert.IsNull(bundle.Options["kv.region"].Default, "a required option stays required: --option kv.region=...");
        Assert.IsFalse(bundle.Options.ContainsKey("kv.capacity"));
        Assert.AreEqual("files", bundle.Workloads["kv.server"].Mounts.Single().Mount);
        // An import's secrets are its own, under the alias: never the importer's secret of the same name.
        Assert.IsTrue(bundle.Secrets.ContainsKey("kv.store_key"));
        CollectionAssert.AreEqual(new[] { "kv.store_key" }, bundle.Workloads["kv.server"].Secrets);
        Assert.AreEqual("store_key", bundle.Workloads["kv.server"].SecretNames["kv.store_key"], "the workload still asks for store_key");
        var dependency = bundle.Dependencies["kv"];
        Assert.AreEqual("store", dependency.Kit);
        CollectionAssert.AreEqual(new[] { "kv.index", "kv.server" }, dependency.Workloads);
    }

    [TestMethod]
    public void AnImportNeverSharesTheImportersSecretOfTheSameName()
    {
        using var workspace = new KitWorkspace();
        var store = workspace.Kit("store", Store, "server", "index");
        var shop = workspace.Kit("shop", Shop
            .Replace("dependencies:", "secrets:\n  store_key: {description: the shop's own}\ndependencies:")
            .Replace("    connections: [cache]\n", "    connections: [cache]\n    secrets: [store_key]\n"), "api");
        var bundle = CompileOk(shop, store);

        Assert.AreEqual("the shop's own", bundle.Secrets["store_key"].Description);
        Assert.AreEqual("encrypts the data", bundle.Secrets["kv.store_key"].Description);
        CollectionAssert.AreEqual(new[] { "store_key" }, bundle.Workloads["api"].Secrets);
        CollectionAssert.AreEqual(new[] { "kv.store_key" }, bundle.Workloads["kv.server"].Secrets);
    }

    [TestMethod]
    public void AnImportOffersOnlyWhatTheImportedKitExposesAtThatPath()
    {
        using var workspace = new KitWorkspace();
        // server has http and mcp endpoints, but the store exposes only http at /kv.
        var store = workspace.Kit("store", Store.Replace("{path: /kv, target: server, endpoints: [http, mcp]}", "{path: /kv, target: server, endpoints: [http]}"), "server", "index");
        var shop = workspace.Kit("shop", Shop, "api");
        var error = SingleError(shop, store);
        Assert.AreEqual(DiagnosticCodes.ExposeEndpointNotOffered, error.Code);
        StringAssert.Contains(error.Message, "exposes only http at '/kv'");
        Assert.AreEqual((23, 47), (error.Line, error.Column));

        var bundle = CompileOk(workspace.Kit("shop2", Shop.Replace("{path: /cache, target: cache, endpoints: [mcp]}", "{path: /cache, target: cache, endpoints: []}"), "api"), store);
        CollectionAssert.AreEqual(new[] { "http" }, bundle.Expose.Single(e => e.Path == "/cache").Endpoints, "an empty list re-exposes what the import exposes");
        CollectionAssert.AreEqual(new[] { "http" }, bundle.Workloads["api"].ConnectionEndpoints["kv.server"], "the connection lists only the exposed protocols");
    }

    [TestMethod]
    public void ImportsAreTransitive()
    {
        using var workspace = new KitWorkspace();
        var store = workspace.Kit("store", Store, "server", "index");
        var shop = workspace.Kit("shop", Shop, "api");
        var mall = workspace.Kit("mall", """
            version: '1'
            name: mall
            options:
              size: {kind: number, default: 5}
            host_mounts:
              files: {access: read_write}
            dependencies:
              shop:
                source: {path: ../shop}
                options: {size: {from_option: size}}
                mount_bindings: {files: files}
            workloads:
              front:
                import: {dependency: shop, exposed_path: /cache}
            expose:
              - {path: /, target: front, endpoints: [mcp]}
            """);
        var bundle = CompileOk(mall, shop);

        CollectionAssert.AreEqual(new[] { "shop.api", "shop.kv.index", "shop.kv.server" }, bundle.Workloads.Keys.ToArray());
        Assert.AreEqual("shop.kv", bundle.Workloads["shop.kv.server"].ImportedFrom);
        CollectionAssert.AreEqual(new[] { "cache" }, bundle.Workloads["shop.api"].ConnectionNames["shop.kv.server"]);
        Assert.AreEqual("size", bundle.Workloads["shop.kv.server"].Phases["start"].EnvFromOptions["CAPACITY"]);
        Assert.AreEqual("shop.kv.mode", bundle.Workloads["shop.kv.server"].Phases["start"].EnvFromOptions["MODE"]);
        Assert.AreEqual("shop.kv.server", bundle.Expose.Single().Target);
        Assert.AreEqual("spiffe://mall.capakit.local/shop.kv.server", bundle.Workloads["shop.kv.server"].Identity.SpiffeId);
    }

    [TestMethod]
    public void APathImportNeedsAProjectReference()
    {
        using var workspace = new KitWorkspace();
        workspace.Kit("store", Store, "server", "index");
        var shop = workspace.Kit("shop", Shop, "api");
        var error = SingleError(shop);
        Assert.AreEqual(DiagnosticCodes.MissingKitProjectReference, error.Code);
        StringAssert.Contains(error.Message, $"dotnet add \"{shop.ProjectFile}\" reference \"{Path.Combine(workspace.Root, "store", "store.kitproj")}\"");
        Assert.AreEqual((9, 20), (error.Line, error.Column));
    }

    [TestMethod]
    public void APathThatIsNotAKitIsRefused()
    {
        using var workspace = new KitWorkspace();
        Directory.CreateDirectory(Path.Combine(workspace.Root, "store"));
        var shop = workspace.Kit("shop", Shop, "api");
        var error = SingleError(shop);
        Assert.AreEqual(DiagnosticCodes.NotAKit, error.Code);
        Assert.AreEqual(9, error.Line);
    }

    [TestMethod]
    public void AnExposedPathTheImportDoesNotExposeIsRefused()
    {
        using var workspace = new KitWorkspace();
        var store = workspace.Kit("store", Store, "server", "index");
        var shop = workspace.Kit("shop", Shop.Replace("exposed_path: /kv", "exposed_path: /nope"), "api");
        var error = SingleError(shop, store);
        Assert.AreEqual(DiagnosticCodes.UnknownExposedPath, error.Code);
        StringAssert.Contains(error.Message, "use one of: /kv");
        Assert.AreEqual(16, error.Line);
    }

    [TestMethod]
    public void AnOptionTheImportDoesNotHaveIsRefused()
    {
        using var workspace = new KitWorkspace();
        var store = workspace.Kit("store", Store, "server", "index");
        var shop = workspace.Kit("shop", Shop.Replace("capacity: {from_option: size}", "volume: {from_option: size}"), "api");
        var error = SingleError(shop, store);
        Assert.AreEqual(DiagnosticCodes.UnknownImportedOption, error.Code);
        StringAssert.Contains(error.Message, "'volume'");
        Assert.AreEqual((11, 7), (error.Line, error.Column));
    }

    [TestMethod]
    public void AnOptionOfTheWrongKindIsRefused()
    {
        using var workspace = new KitWorkspace();
        var store = workspace.Kit("store", Store, "server", "index");
        var shop = workspace.Kit("shop", Shop.Replace("size: {kind: number, default: 3}", "size: {kind: string, default: '3'}"), "api");
        var error = SingleError(shop, store);
        Assert.AreEqual(DiagnosticCodes.ImportedOptionKind, error.Code);
        StringAssert.Contains(error.Message, "number option 'capacity'");
    }

    [TestMethod]
    public void AnEnumOptionWithValuesTheImportRefusesIsRefused()
    {
        using var workspace = new KitWorkspace();
        var store = workspace.Kit("store", Store, "server", "index");
        var shop = workspace.Kit("shop", Shop
            .Replace("size: {kind: number, default: 3}", "size: {kind: number, default: 3}\n  speed: {kind: enum, enum_values: [fast, reckless], default: fast}")
            .Replace("capacity: {from_option: size}", "mode: {from_option: speed}"), "api");
        var error = SingleError(shop, store);
        Assert.AreEqual(DiagnosticCodes.ImportedOptionKind, error.Code);
        StringAssert.Contains(error.Message, "reckless");
    }

    [TestMethod]
    public void AnUnboundMountIsRefused()
    {
        using var workspace = new KitWorkspace();
        var store = workspace.Kit("store", Store, "server", "index");
        var shop = workspace.Kit("shop", Shop.Replace("    mount_bindings:\n      data: files\n", ""), "api");
        var error = SingleError(shop, store);
        Assert.AreEqual(DiagnosticCodes.UnboundImportedMount, error.Code);
        StringAssert.Contains(error.Message, "'data'");
        Assert.AreEqual((8, 3), (error.Line, error.Column));
    }

    [TestMethod]
    public void BindingAMountTheImportDoesNotDeclareIsRefused()
    {
        using var workspace = new KitWorkspace();
        var store = workspace.Kit("store", Store, "server", "index");
        var shop = workspace.Kit("shop", Shop.Replace("      data: files\n", "      data: files\n      logs: files\n"), "api");
        var error = SingleError(shop, store);
        Assert.AreEqual(DiagnosticCodes.UnknownImportedMount, error.Code);
        StringAssert.Contains(error.Message, "'logs'");
    }

    [TestMethod]
    public void AReadWriteMountBoundToAReadOnlyMountIsRefused()
    {
        using var workspace = new KitWorkspace();
        var store = workspace.Kit("store", Store, "server", "index");
        var shop = workspace.Kit("shop", Shop.Replace("files: {access: read_write}", "files: {access: read_only}"), "api");
        var error = SingleError(shop, store);
        Assert.AreEqual(DiagnosticCodes.ImportedMountAccess, error.Code);
    }

    [TestMethod]
    public void AnImportCycleThroughProjectsIsRefused()
    {
        using var workspace = new KitWorkspace();
        var one = workspace.Kit("one", """
            version: '1'
            name: one
            dependencies:
              two: {source: {path: ../two}}
            workloads:
              a:
                runtime: {source: {toolchain: bun, start: {command: bun run index.ts}}}
            """, "a");
        var two = workspace.Kit("two", """
            version: '1'
            name: two
            dependencies:
              back: {source: {path: ../one/one.kitproj}}
            workloads:
              b:
                runtime: {source: {toolchain: bun, start: {command: bun run index.ts}}}
            """, "b");
        var error = SingleError(one, two);
        Assert.AreEqual(DiagnosticCodes.ImportCycle, error.Code);
        StringAssert.Contains(error.Message, "project one.kitproj → project two.kitproj → project one.kitproj");
        StringAssert.EndsWith(error.File, Path.Combine("two", "capability.yml"));
    }

    [TestMethod]
    public void AKitProjectImportedTwiceIsRefused()
    {
        using var workspace = new KitWorkspace();
        var store = workspace.Kit("store", Store, "server", "index");
        var shop = workspace.Kit("shop", Shop.Replace("dependencies:", "dependencies:\n  again:\n    source: {path: ../store}\n    mount_bindings: {data: files}"), "api");
        var error = SingleError(shop, store);
        Assert.AreEqual(DiagnosticCodes.ProjectImportedTwice, error.Code);
        StringAssert.Contains(error.Message, "already imports as 'again'");
    }

    [TestMethod]
    public void AnUnpackedKitsMalformedImportsJsonIsAnErrorNotACrash()
    {
        using var workspace = new KitWorkspace();
        var shop = workspace.Kit("shop", Shop, "api");
        File.WriteAllText(Path.Combine(Path.GetDirectoryName(shop.ManifestFile)!, "imports.json"), "{\"kv\": {\"package\": 5}}");
        var error = SingleError(shop);
        Assert.AreEqual(DiagnosticCodes.NotAKit, error.Code);
        StringAssert.Contains(error.Message, "has no package id for 'kv'");
    }

    [TestMethod]
    public void APackageKitImportsOnlyWhatItsNuspecDependsOn()
    {
        using var workspace = new KitWorkspace();
        // Two restored packages: Acme.Mall (a Kit importing Acme.Store) whose nuspec does not depend on Acme.Store.
        var packages = Path.Combine(workspace.Root, "packages");
        void Package(string id, string manifest, string dependencies, params string[] workloads)
        {
            var folder = Path.Combine(packages, id.ToLowerInvariant(), "1.0.0");
            Directory.CreateDirectory(Path.Combine(folder, "kit"));
            File.WriteAllText(Path.Combine(folder, "kit", "capability.yml"), manifest);
            foreach (var w in workloads)
            {
                Directory.CreateDirectory(Path.Combine(folder, "kit", "workloads", w));
                File.WriteAllText(Path.Combine(folder, "kit", "workloads", w, "index.ts"), "1\n");
            }
            File.WriteAllText(Path.Combine(folder, id.ToLowerInvariant() + ".nuspec"),
                $"<package><metadata><id>{id}</id><version>1.0.0</version><dependencies><group targetFramework=\"net10.0\">{dependencies}</group></dependencies></metadata></package>");
        }
        Package("Acme.Store", Store.Replace("host_mounts:\n  data: {usage: where the store keeps its files, access: read_write}\n", "").Replace("    mounts: [{mount_mid: data}]\n", ""), "", "server", "index");
        const string Mall = """
            version: '1'
            name: mall
            dependencies:
              kv: {source: {package: Acme.Store}}
            workloads:
              front: {import: {dependency: kv, exposed_path: /kv}}
            expose:
              - {path: /kv, target: front, endpoints: [http]}
            """;
        Package("Acme.Mall", Mall, "");
        var assets = Path.Combine(workspace.Root, "project.assets.json");
        File.WriteAllText(assets, $$"""
            {"version": 3, "libraries": {
              "Acme.Mall/1.0.0": {"type": "package", "path": "acme.mall/1.0.0"},
              "Acme.Store/1.0.0": {"type": "package", "path": "acme.store/1.0.0"}
             },
             "packageFolders": {"{{packages}}/": {}
             }
            }
            """);
        var city = workspace.Kit("city", """
            version: '1'
            name: city
            dependencies:
              mall: {source: {package: Acme.Mall}}
            workloads:
              front: {import: {dependency: mall, exposed_path: /kv}}
            """);
        var diagnostics = new DiagnosticBag();
        var result = KitCompiler.Compile(city.ManifestFile, city.BundleDirectory, "9.9.9", city.ProjectFile, diagnostics, DateTimeOffset.UtcNow,
            references: new KitReferenceInputs { AssetsFile = assets, ImportsDirectory = Path.Combine(workspace.Root, "imports") });
        Assert.IsNull(result.Bundle);
        var error = diagnostics.Items.Single(d => d.IsError);
        Assert.AreEqual(DiagnosticCodes.MissingKitPackageReference, error.Code);
        StringAssert.Contains(error.Message, "Kit package Acme.Mall 1.0.0 imports the package 'Acme.Store', which its nuspec does not depend on");

        // With the dependency in its nuspec the same graph compiles, the store copied into the build's folder.
        Package("Acme.Mall", Mall, "<dependency id=\"Acme.Store\" version=\"1.0.0\" />");
        diagnostics = new DiagnosticBag();
        result = KitCompiler.Compile(city.ManifestFile, city.BundleDirectory, "9.9.9", city.ProjectFile, diagnostics, DateTimeOffset.UtcNow,
            references: new KitReferenceInputs { AssetsFile = assets, ImportsDirectory = Path.Combine(workspace.Root, "imports") });
        Assert.IsFalse(diagnostics.HasErrors, string.Join("\n", diagnostics.Items));
        Assert.AreEqual(Path.Combine(workspace.Root, "imports", "mall.kv", "workloads", "server"), result.Bundle!.Workloads["mall.kv.server"].Root);
    }

    [TestMethod]
    public void AnInvalidImportedManifestIsReportedAtItsOwnFile()
    {
        using var workspace = new KitWorkspace();
        var store = workspace.Kit("store", Store.Replace("toolchain: bun, start", "toolchain: deno, start"), "server", "index");
        var shop = workspace.Kit("shop", Shop, "api");
        var error = SingleError(shop, store);
        Assert.AreEqual(DiagnosticCodes.UnsupportedToolchain, error.Code);
        Assert.AreEqual(store.ManifestFile, error.File);
    }

    [TestMethod]
    public void TheRootsPathImportsArePackedAsTheirPackageIds()
    {
        using var workspace = new KitWorkspace();
        var store = workspace.Kit("store", Store, "server", "index");
        var shop = workspace.Kit("shop", Shop, "api");
        var (result, diagnostics) = Compile(shop, store);
        Assert.IsFalse(diagnostics.HasErrors, string.Join("\n", diagnostics.Items));
        Assert.AreEqual(("kv", "Acme.store", (string?)"1.2.3"), result.PackedImports.Single());
        StringAssert.Contains(PackedImports.Write(result.PackedImports), "\"package\": \"Acme.store\"");
        CollectionAssert.Contains(result.Inputs.ToList(), store.ManifestFile);
        CollectionAssert.Contains(result.Inputs.ToList(), store.ProjectFile, "the imported project's package id and version are compiled in");
    }
}
