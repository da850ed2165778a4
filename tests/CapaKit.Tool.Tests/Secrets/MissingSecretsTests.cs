using CapaKit.Tool.Secrets;

namespace CapaKit.Tool.Tests.Secrets;

[TestClass]
public sealed class MissingSecretsTests
{
    [TestMethod]
    public void ListsDeclaredSecretsThatSomeWorkloadUsesAndThatHaveNoValue()
    {
        var bundle = Bundles.Kit(
            new() { ["api_token"] = "Token", ["db_password"] = null, ["unused"] = "Nobody asks for it", ["set_one"] = null },
            ("api", ["api_token", "db_password", "set_one"]),
            ("web", ["api_token"]));
        var source = new FakeSecrets(new() { ["set_one"] = "v" });

        CollectionAssert.AreEqual(new[] { "api_token", "db_password" }, MissingSecrets.Check(bundle, source).ToArray());
        Assert.AreEqual(
            "The Kit needs secrets that have no value (api_token, db_password); set each with `dotnet capakit secrets set <name>` and run again.",
            MissingSecrets.Describe(MissingSecrets.Check(bundle, source)));
        Assert.AreEqual(
            "The Kit needs the secret 'api_token', which has no value; set it with `dotnet capakit secrets set api_token` and run again.",
            MissingSecrets.Describe(["api_token"]));
    }

    [TestMethod]
    public void NothingIsMissingWhenEverythingUsedIsSet()
    {
        var bundle = Bundles.Kit(new() { ["api_token"] = null, ["unused"] = null }, ("api", ["api_token"]));
        Assert.IsEmpty(MissingSecrets.Check(bundle, new FakeSecrets(new() { ["api_token"] = "v" })));
    }

    [TestMethod]
    public void ReadsTheUserSecretsStore()
    {
        using var home = new TempFolder();
        var bundle = Bundles.Kit(new() { ["api_token"] = null }, ("api", ["api_token"]));
        var store = new UserSecretsStore("missing-check", home.UserSecretsRoot);
        CollectionAssert.AreEqual(new[] { "api_token" }, MissingSecrets.Check(bundle, store).ToArray());
        store.Set("api_token", "v");
        Assert.IsEmpty(MissingSecrets.Check(bundle, store));
    }

    [TestMethod]
    public void GrantsAreTheWorkloadsListThatTheKitDeclares()
    {
        // A bundle from an older compiler could list an undeclared name; it is never granted.
        var bundle = Bundles.Kit(new() { ["api_token"] = null, ["other"] = null }, ("api", ["api_token", "ghost"]), ("web", []));
        CollectionAssert.AreEquivalent(new[] { "api_token" }, SecretGrants.For(bundle, "api").Keys.ToArray());
        Assert.AreEqual("api_token", SecretGrants.For(bundle, "api")["api_token"]);
        Assert.IsEmpty(SecretGrants.For(bundle, "web"));
        Assert.IsEmpty(SecretGrants.For(bundle, "nope"));
        CollectionAssert.AreEqual(new[] { "api" }, SecretGrants.WorkloadsUsing(bundle, "api_token").ToArray());
        Assert.IsEmpty(SecretGrants.WorkloadsUsing(bundle, "ghost"));
    }

    [TestMethod]
    public void AnImportedWorkloadAsksByItsOwnNameForTheSecretStoredUnderTheAlias()
    {
        var bundle = Bundles.Kit(new() { ["token"] = null, ["kv.token"] = null }, ("kv.server", ["kv.token"]), ("api", ["token"]));
        bundle.Workloads["kv.server"].SecretNames["kv.token"] = "token";
        Assert.AreEqual("kv.token", SecretGrants.For(bundle, "kv.server")["token"], "kv.server's `token` is the import's own secret");
        Assert.AreEqual("token", SecretGrants.For(bundle, "api")["token"]);
        CollectionAssert.AreEqual(new[] { "kv.server" }, SecretGrants.WorkloadsUsing(bundle, "kv.token").ToArray());
    }

    [TestMethod]
    public void OpeningTheStoreOfAKitWithoutUserSecretsIdSaysWhatToRun()
    {
        var bundle = Bundles.Kit(new() { ["api_token"] = null }, ("api", ["api_token"])) is var b
            ? b with { Kit = b.Kit with { UserSecretsId = null, ProjectFile = "/kits/demo/demo.kitproj" } }
            : null!;
        var error = Assert.ThrowsExactly<CapaKitException>(() => KitUserSecrets.Open(bundle));
        StringAssert.Contains(error.Message, "dotnet user-secrets init --project /kits/demo/demo.kitproj");
        Assert.AreEqual(ExitCodes.Usage, error.ExitCode);
        Assert.IsNull(KitUserSecrets.TryOpen(bundle));
    }
}
