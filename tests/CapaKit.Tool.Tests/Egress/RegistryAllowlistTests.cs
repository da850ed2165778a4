using CapaKit.Tool.Egress;

namespace CapaKit.Tool.Tests.Egress;

[TestClass]
public sealed class RegistryAllowlistTests
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

    [TestMethod]
    public void For_WithoutConfigFiles_IsTheNpmRegistry()
    {
        CollectionAssert.AreEqual(new[] { "registry.npmjs.org" }, RegistryAllowlist.For(_root).ToArray());
    }

    [TestMethod]
    public void For_ReadsNpmrcRegistryAndScopedRegistries()
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

        var report = RegistryAllowlist.Read(_root);

        CollectionAssert.AreEqual(
            new[] { "registry.npmjs.org", "npm.mirror.example.com", "acme.pkg.example.org", "other.example.net", "xn--bcher-kva.example" },
            report.Hosts.ToArray());
        Assert.IsEmpty(report.Problems);
    }

    [TestMethod]
    public void For_NeverExpandsEnvironmentReferencesAndReportsThem()
    {
        Environment.SetEnvironmentVariable("CAPAKIT_TEST_REGISTRY", "https://from-env.example.com/");
        Write(".npmrc", "registry=${CAPAKIT_TEST_REGISTRY}\n@x:registry=https://${HOST}/npm/\n");
        Write("bunfig.toml", "[install]\nregistry = \"$CAPAKIT_TEST_REGISTRY\"\n");

        var report = RegistryAllowlist.Read(_root);

        CollectionAssert.AreEqual(new[] { "registry.npmjs.org" }, report.Hosts.ToArray());
        Assert.HasCount(3, report.Problems);
        StringAssert.Contains(report.Problems[0], ".npmrc line 1");
        StringAssert.Contains(report.Problems[0], "${CAPAKIT_TEST_REGISTRY}");
        StringAssert.Contains(report.Problems[0], "write the registry URL literally");
        StringAssert.Contains(report.Problems[1], "${HOST}");
        StringAssert.Contains(report.Problems[2], "bunfig.toml line 2 (install.registry)");
        StringAssert.Contains(report.Problems[2], "$CAPAKIT_TEST_REGISTRY");
    }

    [TestMethod]
    public void For_ReadsBunfigRegistryAndScopesInAllSpellings()
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

        var report = RegistryAllowlist.Read(_root);

        CollectionAssert.AreEqual(
            new[]
            {
                "registry.npmjs.org", "bun-default.example.com", "scope-string.example.com", "scope-table.example.com",
                "scope-literal.example.com", "scope-subtable.example.com",
            },
            report.Hosts.ToArray());
        Assert.IsEmpty(report.Problems);
    }

    [TestMethod]
    public void For_ReadsBunfigInlineTableRegistryAndDottedKeys()
    {
        Write("bunfig.toml", """
            install.scopes.dotted = "https://dotted-scope.example.com/"

            [install]
            registry = { url = "https://inline.example.com/", username = "u", password = "$PW" }
            """);

        CollectionAssert.AreEqual(
            new[] { "registry.npmjs.org", "dotted-scope.example.com", "inline.example.com" },
            RegistryAllowlist.For(_root).ToArray());
    }

    [TestMethod]
    public void For_ReportsUnusableUrlsAndUnusualPorts()
    {
        Write(".npmrc", "registry=not a url\n@a:registry=ftp://files.example.com/\n@b:registry=https://odd-port.example.com:8443/\n"
            + "@c:registry=https://user:secretpw@creds.example.com:9999/\n");

        var report = RegistryAllowlist.Read(_root);

        CollectionAssert.AreEqual(new[] { "registry.npmjs.org", "odd-port.example.com", "creds.example.com" }, report.Hosts.ToArray());
        Assert.HasCount(4, report.Problems);
        StringAssert.Contains(report.Problems[0], "not an absolute http(s) URL");
        StringAssert.Contains(report.Problems[1], "not an absolute http(s) URL");
        StringAssert.Contains(report.Problems[2], "port 8443");
        Assert.IsTrue(report.Problems.All(p => !p.Contains("secretpw", StringComparison.Ordinal)), "problems never echo values that may hold credentials");
    }

    [TestMethod]
    public void For_DuplicatesAcrossFilesAppearOnce()
    {
        Write(".npmrc", "registry=https://registry.npmjs.org/\n@a:registry=https://mirror.example.com/\n");
        Write("bunfig.toml", "[install]\nregistry = \"https://MIRROR.example.com./\"\n");

        CollectionAssert.AreEqual(new[] { "registry.npmjs.org", "mirror.example.com" }, RegistryAllowlist.For(_root).ToArray());
    }

    [TestMethod]
    public void For_ResultIsAValidEgressPolicy()
    {
        Write(".npmrc", "@a:registry=https://mirror.example.com/\n");

        var policy = new EgressPolicy(RegistryAllowlist.For(_root));

        Assert.IsTrue(policy.IsListed("mirror.example.com"));
        Assert.IsTrue(policy.IsListed("registry.npmjs.org"));
    }
}
