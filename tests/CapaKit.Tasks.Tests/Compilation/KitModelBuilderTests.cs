using CapaKit.Bundle;
using CapaKit.Tasks.Compilation;
using CapaKit.Tasks.Diagnostics;
using CapaKit.Tasks.Manifest;

namespace CapaKit.Tasks.Tests.Compilation;

[TestClass]
public sealed class KitModelBuilderTests
{
    private static KitBundle Build(string yaml)
    {
        var diagnostics = new DiagnosticBag();
        var manifest = ManifestLoader.Load(yaml, "/kits/shop/capability.yml", diagnostics)!;
        ManifestValidator.Validate(manifest, diagnostics);
        Assert.IsFalse(diagnostics.HasErrors, string.Join("\n", diagnostics.Items));
        return KitModelBuilder.Build(manifest, "9.9.9", "/kits/shop/shop.kitproj");
    }

    private const string Shop = """
        version: '1'
        name: shop
        options:
          size: {kind: number, default: 1e3}
        host_mounts:
          docs: {access: read_only}
        workloads:
          web:
            connections: [api]
            endpoints: [http, mcp, oaic, {protocol: a2a, path: /agent}]
            mounts: [{mount_mid: docs}]
            runtime:
              source:
                toolchain: bun
                prepare: {command: bun install}
                hydrate: {command: "bun run fetch.ts > out.txt"}
                start: {command: bun run 'src/my app.ts'}
          api:
            restart: always
            runtime: {source: {toolchain: bun, start: {command: bun run api.ts}}}
        """;

    [TestMethod]
    public void ResolvesDefaults()
    {
        var bundle = Build(Shop);
        var web = bundle.Workloads["web"];
        Assert.AreEqual("workloads/web", web.Root);
        Assert.AreEqual("/kits/shop", bundle.Kit.Directory);
        CollectionAssert.AreEqual(new[] { "/", "/mcp", "/v1", "/agent" }, web.Endpoints.Select(e => e.Path).ToArray());
        Assert.AreEqual("read_only", web.Mounts.Single().Access, "a mount without access takes the host mount's");
        Assert.AreEqual(NetworkAccess.Registry, web.Phases["prepare"].Network);
        Assert.AreEqual(NetworkAccess.None, web.Phases["hydrate"].Network);
        Assert.AreEqual(NetworkAccess.None, web.Phases["start"].Network);
        Assert.AreEqual(600, web.Phases["prepare"].TimeoutSeconds);
        Assert.AreEqual(0, web.Phases["start"].TimeoutSeconds);
        Assert.AreEqual("1000", bundle.Options["size"].Default);
        Assert.AreEqual("spiffe://shop.capakit.local/web", web.Identity.SpiffeId);
        Assert.AreEqual("certs/web.key", web.Identity.Key);
        Assert.AreEqual("policies/web.start.sb", web.Phases["start"].SeatbeltProfile);
        Assert.AreEqual("9.9.9", bundle.CompilerVersion);
        Assert.AreEqual(RestartPolicy.OnFailure, web.Restart, "restart defaults to on-failure");
        Assert.AreEqual(RestartPolicy.Always, bundle.Workloads["api"].Restart);
    }

    [TestMethod]
    public void CommandsBecomeArgvOrAShell()
    {
        var web = Build(Shop).Workloads["web"];
        CollectionAssert.AreEqual(new[] { "bun", "install" }, web.Phases["prepare"].Argv);
        CollectionAssert.AreEqual(new[] { "bun", "run", "src/my app.ts" }, web.Phases["start"].Argv);
        CollectionAssert.AreEqual(new[] { "/bin/sh", "-c", "bun run fetch.ts > out.txt" }, web.Phases["hydrate"].Argv);
        CollectionAssert.AreEqual(new[] { "/bin/sh", "-c", "echo 'unterminated" }, CommandLine.ToArgv("echo 'unterminated"));
        CollectionAssert.AreEqual(new[] { "/bin/sh", "-c", "FOO=1 bun x" }, CommandLine.ToArgv("FOO=1 bun x"));
    }

    [TestMethod]
    public void RegistriesDefaultToTheNpmRegistryOnRegistryPhasesOnly()
    {
        var web = Build(Shop).Workloads["web"];

        CollectionAssert.AreEqual(new[] { "registry.npmjs.org" }, web.Phases["prepare"].Registries);
        Assert.IsEmpty(web.Phases["hydrate"].Registries, "a phase without network reaches no registry");
        Assert.IsEmpty(web.Phases["start"].Registries);
    }

    [TestMethod]
    public void RegistriesAreTheListedHostsNormalizedInOrder()
    {
        var bundle = Build("""
            version: '1'
            name: shop
            workloads:
              web:
                runtime:
                  source:
                    toolchain: bun
                    prepare:
                      command: bun install
                      registries:
                        - https://NPM.pkg.GitHub.com/acme/
                        - registry.npmjs.org.
                        - "*.Mirror.example.com"
                        - bücher.example
                        - npm.pkg.github.com
                    hydrate:
                      command: bun run fetch.ts
                      network: registry
                      registries: [cdn.example.org]
                    start: {command: bun run web.ts}
            """);
        var phases = bundle.Workloads["web"].Phases;

        CollectionAssert.AreEqual(
            new[] { "npm.pkg.github.com", "registry.npmjs.org", "*.mirror.example.com", "xn--bcher-kva.example" },
            phases["prepare"].Registries,
            "only the host of a URL counts; the listed hosts replace the default and each appears once");
        CollectionAssert.AreEqual(new[] { "cdn.example.org" }, phases["hydrate"].Registries);
    }

    [TestMethod]
    [DataRow("registry.example.com", "registry.example.com")]
    [DataRow("https://registry.example.com", "registry.example.com")]
    [DataRow("https://registry.example.com:443/npm/?x=1", "registry.example.com")]
    [DataRow("*.example.com", "*.example.com")]
    [DataRow("npm_mirror.corp.example", "npm_mirror.corp.example")]
    public void RegistryEntriesThatAreAccepted(string entry, string host)
    {
        Assert.IsTrue(RegistryEntry.TryParse(entry, out var parsed, out var problem), problem);
        Assert.AreEqual(host, parsed);
    }

    [TestMethod]
    [DataRow("http://registry.example.com/", "https")]
    [DataRow("ftp://registry.example.com/", "https")]
    [DataRow("https://registry.example.com:8443/", "port 8443")]
    [DataRow("https://token@registry.example.com/", "credentials")]
    [DataRow("registry.example.com:443", "host name")]
    [DataRow("registry.example.com/npm", "host name")]
    [DataRow("127.0.0.1", "IP address")]
    [DataRow("0x7f.1", "IP address")]
    [DataRow("[::1]", "IP address")]
    [DataRow("https://[2606:4700::1]/", "IP address")]
    [DataRow("*.com", "wildcard")]
    [DataRow("reg*.example.com", "wildcard")]
    [DataRow("localhost", "full host name")]
    [DataRow("-bad.example.com", "host name")]
    [DataRow("", "host name")]
    public void RegistryEntriesThatAreRefused(string entry, string problemMentions)
    {
        Assert.IsFalse(RegistryEntry.TryParse(entry, out _, out var problem));
        StringAssert.Contains(problem, problemMentions);
    }

    [TestMethod]
    public void StartOrderPutsPeersFirst()
    {
        var bundle = Build("""
            version: '1'
            name: chain
            workloads:
              a: {connections: [b, c], runtime: {source: {toolchain: bun, start: {command: x}}}}
              b: {connections: [c], runtime: {source: {toolchain: bun, start: {command: x}}}}
              c: {runtime: {source: {toolchain: bun, start: {command: x}}}}
              d: {runtime: {source: {toolchain: bun, start: {command: x}}}}
            """);
        CollectionAssert.AreEqual(new[] { "c", "b", "a", "d" }, bundle.StartOrder);
    }

    [TestMethod]
    public void TheModelRoundTripsThroughKitJson()
    {
        var bundle = Build(Shop);
        var dir = Directory.CreateTempSubdirectory("capakit-model-").FullName;
        try
        {
            var json = BundleFormat.Serialize(bundle);
            File.WriteAllText(Path.Combine(dir, BundleFormat.ModelFile), json);
            var read = BundleFormat.ReadModel(dir);
            Assert.AreEqual(json, BundleFormat.Serialize(read));
            Assert.AreEqual(json, BundleFormat.Serialize(Build(Shop)), "the same manifest gives the same bytes");

            File.WriteAllText(Path.Combine(dir, BundleFormat.ModelFile), json.Replace($"\"bundleVersion\": {BundleFormat.CurrentVersion}", "\"bundleVersion\": 99"));
            var error = Assert.ThrowsExactly<InvalidDataException>(() => BundleFormat.ReadModel(dir));
            StringAssert.Contains(error.Message, "bundle format 99");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void BundleWriterLeavesUnchangedFilesAlone()
    {
        var dir = Directory.CreateTempSubdirectory("capakit-writer-").FullName;
        try
        {
            var first = new BundleWriter(dir);
            first.WriteText("policies/a.sb", "one");
            first.WriteText("policies/b.sb", "two");
            var stamp = File.GetLastWriteTimeUtc(Path.Combine(dir, "policies/a.sb"));
            File.SetLastWriteTimeUtc(Path.Combine(dir, "policies/a.sb"), stamp.AddMinutes(-5));

            var second = new BundleWriter(dir);
            second.WriteText("policies/a.sb", "one");
            second.WriteText("policies/c.sb", "three");
            var deleted = second.DeleteStale("policies");

            Assert.AreEqual(stamp.AddMinutes(-5), File.GetLastWriteTimeUtc(Path.Combine(dir, "policies/a.sb")));
            CollectionAssert.AreEqual(new[] { Path.Combine(dir, "policies/c.sb") }, second.Written.ToArray());
            CollectionAssert.AreEqual(new[] { Path.Combine(dir, "policies/b.sb") }, deleted.ToArray());
            Assert.IsFalse(File.Exists(Path.Combine(dir, "policies/b.sb")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
