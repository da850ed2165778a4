using CapaKit.Tasks.Diagnostics;
using CapaKit.Tasks.Manifest;

namespace CapaKit.Tasks.Tests.Manifest;

[TestClass]
public sealed class ManifestLoaderTests
{
    private const string FullManifest = """
        version: '1'
        name: storefront
        license: Apache-2.0
        options:
          title: {kind: string, default: My shop, description: Page title}
          max_items: {kind: number, default: 100}
          mode: {kind: enum, default: fast, enum_values: [fast, safe]}
        host_mounts:
          data: {usage: Where orders are kept, access: read_write}
          docs: {usage: Product sheets, access: read_only}
        secrets:
          api_token: {description: Token the web tier presents}
        workloads:
          api:
            mounts:
              - mount_mid: data
                access: read_write
              - mount_mid: docs
            endpoints:
              - http
              - protocol: mcp
                path: /tools
            secrets: [api_token]
            runtime:
              source:
                toolchain: bun
                prepare:
                  command: bun install
                hydrate:
                  command: bun run seed.ts
                  allow_network: true
                start:
                  command: bun run src/index.ts --port 0
                  env_from_options:
                    MAX_ITEMS: max_items
                  timeout_seconds: 30
          web:
            connections: [api]
            endpoints: [http]
            runtime:
              source:
                toolchain: bun
                start:
                  command: [bun, run, "src/web server.ts"]
                  network: none
        expose:
          - path: /
            target: web
            endpoints: [http]
          - path: /tools
            target: api
            endpoints: [mcp]
            default_mcp: true
        """;

    [TestMethod]
    public void ReadsEveryPartOfTheModel()
    {
        var diagnostics = new DiagnosticBag();
        var manifest = ManifestLoader.Load(FullManifest, "capability.yml", diagnostics)!;
        ManifestValidator.Validate(manifest, diagnostics);
        Assert.IsEmpty(diagnostics.Items, string.Join("\n", diagnostics.Items));

        Assert.AreEqual("storefront", manifest.Name!.Value);
        Assert.AreEqual("Apache-2.0", manifest.License);
        Assert.HasCount(3, manifest.Options);
        var mode = manifest.Options.Single(o => o.Name.Value == "mode");
        CollectionAssert.AreEqual(new[] { "fast", "safe" }, mode.EnumValues!.Select(v => v.Value).ToArray());
        Assert.AreEqual("read_only", manifest.HostMounts.Single(m => m.Name.Value == "docs").Access!.Value);
        Assert.AreEqual("api_token", manifest.Secrets.Single().Name.Value);

        var api = manifest.Workloads.Single(w => w.Name.Value == "api");
        Assert.HasCount(2, api.Mounts);
        Assert.IsNull(api.Mounts[1].Access, "a mount without access takes the host mount's");
        Assert.AreEqual("/tools", api.Endpoints[1].Path!.Value);
        Assert.AreEqual("full", api.Runtime!.Phases["hydrate"].Network!.Value);
        Assert.AreEqual(30, api.Runtime.Phases["start"].TimeoutSeconds!.Value);
        Assert.AreEqual(("MAX_ITEMS", "max_items"), (api.Runtime.Phases["start"].EnvFromOptions[0].Variable.Value, api.Runtime.Phases["start"].EnvFromOptions[0].Option.Value));

        var web = manifest.Workloads.Single(w => w.Name.Value == "web");
        CollectionAssert.AreEqual(new[] { "bun", "run", "src/web server.ts" }, web.Runtime!.Phases["start"].CommandArgs);
        Assert.AreEqual("none", web.Runtime.Phases["start"].Network!.Value);
        Assert.IsTrue(manifest.Expose[1].DefaultMcp);
    }

    [TestMethod]
    public void LocationsAreOneBasedLineAndColumn()
    {
        var diagnostics = new DiagnosticBag();
        var manifest = ManifestLoader.Load(FullManifest, "capability.yml", diagnostics)!;
        var web = manifest.Workloads.Single(w => w.Name.Value == "web");
        Assert.AreEqual(new SourceLocation("capability.yml", 37, 3), web.Name.Location);
        Assert.AreEqual(new SourceLocation("capability.yml", 38, 19), web.Connections[0].Location);
    }

    [TestMethod]
    public void UnknownKeysAreWarningsThatNameTheKey()
    {
        var diagnostics = new DiagnosticBag();
        var manifest = ManifestLoader.Load("""
            version: '1'
            name: shop
            colour: blue
            workloads:
              api:
                runtime:
                  capabilities: {gpu: {from_option: gpu}}
                  source: {toolchain: bun, start: {command: bun run a.ts}}
            """, "capability.yml", diagnostics)!;
        ManifestValidator.Validate(manifest, diagnostics);
        Assert.IsFalse(diagnostics.HasErrors, string.Join("\n", diagnostics.Items));
        var warnings = diagnostics.Items.Where(d => d.Code == DiagnosticCodes.UnknownKey).ToList();
        Assert.HasCount(2, warnings);
        StringAssert.Contains(warnings[0].Message, "'colour'");
        Assert.AreEqual((3, 1), (warnings[0].Line, warnings[0].Column));
        StringAssert.Contains(warnings[1].Message, "'capabilities'");
        Assert.AreEqual((7, 7), (warnings[1].Line, warnings[1].Column));
    }

    [TestMethod]
    public void AMissingFileIsOneClearError()
    {
        var diagnostics = new DiagnosticBag();
        Assert.IsNull(ManifestLoader.LoadFile("/nonexistent/capability.yml", diagnostics));
        Assert.AreEqual(DiagnosticCodes.ManifestMissing, diagnostics.Items.Single().Code);
    }

    [TestMethod]
    public void AnEmptyFileIsAnError()
    {
        var diagnostics = new DiagnosticBag();
        Assert.IsNull(ManifestLoader.Load("", "capability.yml", diagnostics));
        Assert.AreEqual(DiagnosticCodes.MissingKey, diagnostics.Items.Single().Code);
    }

    [TestMethod]
    public void SuggestsTheNearestDeclaredName()
    {
        var diagnostics = new DiagnosticBag();
        var manifest = ManifestLoader.Load("""
            version: '1'
            name: shop
            workloads:
              web:
                connections: [apu]
                runtime: {source: {toolchain: bun, start: {command: bun run a.ts}}}
              api:
                runtime: {source: {toolchain: bun, start: {command: bun run a.ts}}}
            """, "capability.yml", diagnostics)!;
        ManifestValidator.Validate(manifest, diagnostics);
        StringAssert.Contains(diagnostics.Items.Single().Message, "did you mean 'api'?");
    }

    [TestMethod]
    public void ADependencyWithAPackageSourceIsAValidManifest()
    {
        var diagnostics = new DiagnosticBag();
        var manifest = ManifestLoader.Load("""
            version: '1'
            name: shop
            dependencies:
              kv:
                source: {package: Acme.KvStore.Kit}
            workloads:
              web:
                runtime: {source: {toolchain: bun, start: {command: bun run a.ts}}}
            """, "capability.yml", diagnostics)!;
        ManifestValidator.Validate(manifest, diagnostics);
        Assert.IsEmpty(diagnostics.Items, string.Join("\n", diagnostics.Items));
        Assert.AreEqual("Acme.KvStore.Kit", manifest.Dependencies.Single().Package!.Value);
    }
}
