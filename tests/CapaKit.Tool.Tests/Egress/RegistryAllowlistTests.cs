using CapaKit.Bundle;
using CapaKit.Tool.Egress;

namespace CapaKit.Tool.Tests.Egress;

/// <summary>The install allowlist is the phase's registries from the bundle; the workload's files can only stop a run, never widen it.</summary>
[TestClass]
public sealed class RegistryAllowlistTests
{
    private const string Key = "`workloads.app.runtime.source.prepare.registries` of capability.yml";
    private string _root = "";

    [TestInitialize]
    public void CreateWorkloadRoot()
    {
        _root = Path.Combine(Path.GetTempPath(), "ck-allowlist-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_root);
    }

    [TestCleanup]
    public void RemoveWorkloadRoot() => Directory.Delete(_root, recursive: true);

    private void Write(string name, string text) => File.WriteAllText(Path.Combine(_root, name), text);

    [TestMethod]
    public void For_WithoutConfigFiles_IsThePhasesRegistries()
    {
        CollectionAssert.AreEqual(new[] { "registry.npmjs.org" }, RegistryAllowlist.For(["registry.npmjs.org"], _root, Key).ToArray());
    }

    [TestMethod]
    public void For_ConfigFilesNamingListedRegistries_AddNothing()
    {
        Write(".npmrc", "registry=https://mirror.example.com/npm/\n@acme:registry=https://npm.acme.example.org/\n");
        Write("bunfig.toml", "[install]\nregistry = \"https://MIRROR.example.com./\"\n");

        var hosts = RegistryAllowlist.For(["mirror.example.com", "*.acme.example.org"], _root, Key);

        CollectionAssert.AreEqual(new[] { "mirror.example.com", "*.acme.example.org" }, hosts.ToArray(), "not even the npm default joins the list");
    }

    [TestMethod]
    [DataRow(".npmrc", "registry=https://registry.npmjs.org/\n@evil:registry=https://npm.evil.example/\n", "line 2, @evil:registry")]
    [DataRow("bunfig.toml", "[install.scopes]\nevil = \"https://npm.evil.example/\"\n", "line 2, install.scopes.evil")]
    public void For_AConfigFileNamingAnUnlistedRegistry_StopsNamingTheFileTheHostAndTheKey(string file, string text, string where)
    {
        Write(file, text);

        var error = Assert.ThrowsExactly<CapaKitException>(() => RegistryAllowlist.For(["registry.npmjs.org"], _root, Key));

        StringAssert.StartsWith(error.Message, "CAPA0520: ");
        StringAssert.Contains(error.Message, $"{Path.Combine(_root, file)} ({where}) names the registry npm.evil.example");
        StringAssert.Contains(error.Message, Key);
        Assert.DoesNotContain("\n", error.Message, "one sentence on one line");
        Assert.AreEqual(ExitCodes.Tool, error.ExitCode);
    }

    [TestMethod]
    public void For_ASymlinkedNpmrc_IsRefusedWithoutBeingRead()
    {
        File.CreateSymbolicLink(Path.Combine(_root, ".npmrc"), "/dev/zero");

        var error = Assert.ThrowsExactly<CapaKitException>(() => RegistryAllowlist.For(["registry.npmjs.org"], _root, Key));

        StringAssert.StartsWith(error.Message, "CAPA0500: ");
        StringAssert.Contains(error.Message, "symbolic link");
    }

    [TestMethod]
    public void ManifestKey_NamesThePhaseAndForAnImportedWorkloadItsKit()
    {
        var own = new WorkloadModel { Name = "app", Root = "workloads/app", Toolchain = "bun", Identity = Identity };
        var imported = own with { Name = "store.db", ImportedFrom = "store" };

        Assert.AreEqual(Key, RegistryAllowlist.ManifestKey(own, "prepare"));
        Assert.AreEqual("`workloads.db.runtime.source.hydrate.registries` of the capability.yml of the imported Kit 'store'", RegistryAllowlist.ManifestKey(imported, "hydrate"));
    }

    private static readonly WorkloadIdentityModel Identity = new() { SpiffeId = "spiffe://k.capakit.local/app", Certificate = "certs/app.pem", Key = "certs/app.key" };
}
