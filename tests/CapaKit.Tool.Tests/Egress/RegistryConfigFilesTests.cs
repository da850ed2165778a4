using CapaKit.Tool.Egress;

namespace CapaKit.Tool.Tests.Egress;

/// <summary>The registries a workload's .npmrc and bunfig.toml name, as the runtime reads them to explain a refusal.</summary>
[TestClass]
public sealed class RegistryConfigFilesTests
{
    private string _root = "";

    [TestInitialize]
    public void CreateWorkloadRoot()
    {
        _root = Path.Combine(Path.GetTempPath(), "ck-registries-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_root);
    }

    [TestCleanup]
    public void RemoveWorkloadRoot() => Directory.Delete(_root, recursive: true);

    private void Write(string name, string text) => File.WriteAllText(Path.Combine(_root, name), text);

    private string[] Hosts() => [.. RegistryConfigFiles.Read(_root).Select(r => r.Host)];

    [TestMethod]
    public void Read_WithoutConfigFiles_NamesNothing()
    {
        Assert.IsEmpty(Hosts());
    }

    [TestMethod]
    public void Read_NpmrcRegistryAndScopedRegistries()
    {
        Write(".npmrc", """
            # company mirror
            registry=https://NPM.Mirror.example.com/repository/npm/
            ; registry=https://commented.example.com/
            @acme:registry = "https://acme.pkg.example.org/npm/"
            @other:registry=https://other.example.net/ # trailing comment
            //npm.mirror.example.com/repository/npm/:_authToken=${NPM_TOKEN}
            always-auth=true
            @idn:registry=https://bücher.example/
            """);

        var references = RegistryConfigFiles.Read(_root);

        CollectionAssert.AreEqual(
            new[] { "npm.mirror.example.com", "acme.pkg.example.org", "other.example.net", "xn--bcher-kva.example" },
            references.Select(r => r.Host).ToArray());
        Assert.AreEqual(new RegistryReference(".npmrc", "line 4, @acme:registry", "acme.pkg.example.org"), references[1]);
    }

    [TestMethod]
    public void Read_NeverExpandsEnvironmentReferences()
    {
        Environment.SetEnvironmentVariable("CAPAKIT_TEST_REGISTRY", "https://from-env.example.com/");
        Write(".npmrc", "registry=${CAPAKIT_TEST_REGISTRY}\n@x:registry=https://${HOST}/npm/\n");
        Write("bunfig.toml", "[install]\nregistry = \"$CAPAKIT_TEST_REGISTRY\"\n");

        Assert.IsEmpty(Hosts());
    }

    [TestMethod]
    public void Read_BunfigRegistryAndScopesInAllSpellings()
    {
        Write("bunfig.toml", """
            # bunfig with every registry spelling
            telemetry = false

            [run]
            registry = "https://not-an-install-setting.example/"

            [install]
            registry = "https://bun-default.example.com/"   # comment
            cache.dir = "/tmp/cache"

            [install.scopes]
            myorg = "https://user:pass@scope-string.example.com/"
            "@quoted" = { url = "https://scope-table.example.com/", token = "$NPM_TOKEN" }
            'literal' = { token = "abc", url = 'https://scope-literal.example.com/' }

            [install.scopes.sub]
            url = "https://scope-subtable.example.com/"
            token = "x"

            [ install . cache ]
            dir = "https://not-a-registry.example/"
            """);

        CollectionAssert.AreEqual(
            new[]
            {
                "bun-default.example.com", "scope-string.example.com", "scope-table.example.com",
                "scope-literal.example.com", "scope-subtable.example.com",
            },
            Hosts());
    }

    [TestMethod]
    public void Read_BunfigInlineTableRegistryAndDottedKeys()
    {
        Write("bunfig.toml", """
            install.scopes.dotted = "https://dotted-scope.example.com/"

            [install]
            registry = { url = "https://inline.example.com/", username = "u", password = "$PW" }
            """);

        CollectionAssert.AreEqual(new[] { "dotted-scope.example.com", "inline.example.com" }, Hosts());
    }

    [TestMethod]
    public void Read_SkipsValuesThatAreNotUrlsAndNeverKeepsCredentials()
    {
        Write(".npmrc", "registry=not a url\n@a:registry=ftp://files.example.com/\n@b:registry=https://odd-port.example.com:8443/\n"
            + "@c:registry=https://user:secretpw@creds.example.com:9999/\n");

        var references = RegistryConfigFiles.Read(_root);

        CollectionAssert.AreEqual(new[] { "odd-port.example.com", "creds.example.com" }, references.Select(r => r.Host).ToArray());
        Assert.IsTrue(references.All(r => !r.ToString().Contains("secretpw", StringComparison.Ordinal)), "references never keep values that may hold credentials");
    }

    [TestMethod]
    public void Read_EachHostOncePerFile()
    {
        Write(".npmrc", "registry=https://mirror.example.com/\n@a:registry=https://MIRROR.example.com./\n");
        Write("bunfig.toml", "[install]\nregistry = \"https://mirror.example.com/\"\n");

        CollectionAssert.AreEqual(new[] { ".npmrc", "bunfig.toml" }, RegistryConfigFiles.Read(_root).Select(r => r.File).ToArray());
    }
}
