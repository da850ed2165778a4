using System.Text.Json;
using CapaKit.Bundle;
using CapaKit.Tool.Secrets;
using CapaKit.Tool.Tests.Support;

namespace CapaKit.Tool.Tests.Secrets;

/// <summary>`dotnet capakit secrets set|list|rm` end to end: the built tool on a real Kit, with a temp HOME.</summary>
[TestClass]
public sealed class SecretsCliTests
{
    private const string Manifest = """
        version: '1'
        name: vault
        secrets:
          api_token: {description: Bearer token for the API}
          db_password: {description: Database password}
          spare_1: {description: Spare one}
          spare_2: {description: Spare two}
          spare_3: {description: Spare three}
          unused: {description: Nobody asks for this}
        workloads:
          api:
            secrets: [api_token, db_password, spare_1, spare_2, spare_3]
            runtime:
              source:
                toolchain: bun
                start:
                  command: bun run index.ts
          web:
            secrets: [api_token]
            runtime:
              source:
                toolchain: bun
                start:
                  command: bun run index.ts
        """;

    private static readonly string[] Values = ["v1-secret-aaa", "v2-secret-bbb", "pw-secret-ccc", "from-dotnet-ddd", "stray-eee", "par-fff"];

    private static TestKit CreateKit() => TestKit.Create("vault", Manifest, new Dictionary<string, IReadOnlyDictionary<string, string>>
    {
        ["api"] = new Dictionary<string, string> { ["index.ts"] = "console.log('api');\n" },
        ["web"] = new Dictionary<string, string> { ["index.ts"] = "console.log('web');\n" },
    });

    private sealed class Session(TestKit kit, TempFolder home)
    {
        public List<ToolResult> Results { get; } = [];

        public ToolResult Run(string? stdin, params string[] args)
        {
            var result = Processes.Capakit(home.Path, kit.Directory, ["secrets", .. args, "--kit", kit.ProjectFile], stdin);
            Results.Add(result);
            return result;
        }

        public JsonElement Json(params string[] args)
        {
            var result = Run(null, [.. args, "--format", "json"]);
            Assert.AreEqual(0, result.ExitCode, result.ToString());
            return JsonDocument.Parse(result.StandardOutput).RootElement;
        }

        public UserSecretsStore Store(string id) => new(id, home.UserSecretsRoot);
    }

    private static string? UserSecretsId(TestKit kit) =>
        System.Xml.Linq.XDocument.Load(kit.ProjectFile).Descendants("UserSecretsId").SingleOrDefault()?.Value;

    private static Dictionary<string, (bool Set, string? Description, string[] Workloads)> Rows(JsonElement list) =>
        list.GetProperty("secrets").EnumerateArray().ToDictionary(
            s => s.GetProperty("name").GetString()!,
            s => (s.GetProperty("set").GetBoolean(), s.GetProperty("description").GetString(),
                s.GetProperty("workloads").EnumerateArray().Select(w => w.GetString()!).ToArray()));

    [TestMethod]
    public void SetListAndRemoveWorkOnAKitWithoutUserSecretsIdAndNeverShowValues()
    {
        var kit = CreateKit();
        using var home = new TempFolder();
        var session = new Session(kit, home);
        Assert.IsNull(UserSecretsId(kit));

        // Before any set: list works (nothing is set), rm says what to run.
        var before = session.Json("list");
        Assert.AreEqual(JsonValueKind.Null, before.GetProperty("userSecretsId").ValueKind);
        var rows = Rows(before);
        CollectionAssert.AreEqual(new[] { "api_token", "db_password", "spare_1", "spare_2", "spare_3", "unused" }, rows.Keys.ToArray());
        Assert.IsFalse(rows.Values.Any(r => r.Set));
        Assert.AreEqual("Bearer token for the API", rows["api_token"].Description);
        CollectionAssert.AreEqual(new[] { "api", "web" }, rows["api_token"].Workloads);
        Assert.IsEmpty(rows["unused"].Workloads);

        var rmWithoutId = session.Run(null, "rm", "api_token");
        Assert.AreEqual(ExitCodes.Usage, rmWithoutId.ExitCode, rmWithoutId.ToString());
        StringAssert.Contains(rmWithoutId.StandardError, $"dotnet user-secrets init --project {kit.ProjectFile}");

        // The first set gives the Kit a UserSecretsId (and says so), then stores the value read from stdin.
        var first = session.Run(Values[0] + "\n", "set", "api_token");
        Assert.AreEqual(0, first.ExitCode, first.ToString());
        var id = UserSecretsId(kit);
        Assert.IsNotNull(id);
        StringAssert.Contains(first.StandardError, $"added <UserSecretsId>{id}</UserSecretsId> to vault.kitproj");
        var store = session.Store(id);
        Assert.AreEqual(Values[0], store.Get("api_token"), "one trailing line break of stdin is dropped");
        Assert.AreEqual(id, BundleFormat.ReadModel(Path.Combine(kit.Directory, "bin", "Debug", "kit")).Kit.UserSecretsId, "the Kit was rebuilt with it");
        Assert.AreEqual(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(store.FilePath));

        // Value as argument, and "-" for stdin; JSON output.
        var second = session.Json("set", "api_token", Values[1]);
        Assert.IsTrue(second.GetProperty("set").GetBoolean());
        Assert.IsFalse(second.GetProperty("addedUserSecretsId").GetBoolean());
        Assert.AreEqual(id, second.GetProperty("userSecretsId").GetString());
        CollectionAssert.AreEqual(new[] { "api", "web" }, second.GetProperty("workloads").EnumerateArray().Select(w => w.GetString()).ToArray());
        Assert.AreEqual(Values[1], store.Get("api_token"));
        var dash = session.Run(Values[2], "set", "db_password", "-");
        Assert.AreEqual(0, dash.ExitCode, dash.ToString());
        Assert.AreEqual(Values[2], store.Get("db_password"));

        // Refusals: undeclared names (with the declared list) and empty values.
        var undeclared = session.Run(null, "set", "nope", "x");
        Assert.AreEqual(ExitCodes.Usage, undeclared.ExitCode);
        StringAssert.Contains(undeclared.StandardError, "does not declare a secret 'nope'; its secrets are api_token, db_password, spare_1, spare_2, spare_3, unused.");
        var empty = session.Run("", "set", "spare_3");
        Assert.AreEqual(ExitCodes.Usage, empty.ExitCode);
        StringAssert.Contains(empty.StandardError, "empty");
        Assert.IsNull(store.Get("spare_3"));

        // The real `dotnet user-secrets` writes the same store, found through the project's UserSecretsId.
        var dotnet = Processes.Dotnet(home.Path, ["user-secrets", "set", "spare_1", Values[3], "--project", kit.ProjectFile], kit.Directory);
        Assert.AreEqual(0, dotnet.ExitCode, dotnet.ToString());
        dotnet = Processes.Dotnet(home.Path, ["user-secrets", "set", "Stray:Key", Values[4], "--id", id]);
        Assert.AreEqual(0, dotnet.ExitCode, dotnet.ToString());

        // Concurrent `secrets set` processes lose nothing.
        var parallel = new[] { "spare_2", "spare_3", "unused" }.AsParallel().WithDegreeOfParallelism(3)
            .Select(name => Processes.Capakit(home.Path, kit.Directory, ["secrets", "set", name, "--kit", kit.ProjectFile], Values[5]))
            .ToList();
        session.Results.AddRange(parallel);
        Assert.IsTrue(parallel.All(r => r.ExitCode == 0), string.Join("\n", parallel));

        var after = session.Json("list");
        rows = Rows(after);
        Assert.IsTrue(rows.Values.All(r => r.Set), after.ToString());
        CollectionAssert.AreEqual(new[] { "Stray:Key" }, after.GetProperty("undeclared").EnumerateArray().Select(k => k.GetString()).ToArray());
        Assert.AreEqual(store.FilePath, after.GetProperty("store").GetString());

        // Human text (stderr), run from the Kit's folder without --kit.
        var text = Processes.Capakit(home.Path, kit.Directory, ["secrets", "list"]);
        session.Results.Add(text);
        Assert.AreEqual(0, text.ExitCode, text.ToString());
        StringAssert.Contains(text.StandardError, "api_token");
        StringAssert.Contains(text.StandardError, "Bearer token for the API");
        StringAssert.Contains(text.StandardError, "Stray:Key");

        // The real bundle: nothing is missing now; after rm, api_token is.
        var bundle = BundleFormat.ReadModel(Path.Combine(kit.Directory, "bin", "Debug", "kit"));
        Assert.IsEmpty(MissingSecrets.Check(bundle, store));
        var rm = session.Json("rm", "api_token");
        Assert.IsTrue(rm.GetProperty("removed").GetBoolean());
        Assert.IsFalse(Rows(session.Json("list"))["api_token"].Set);
        CollectionAssert.AreEqual(new[] { "api_token" }, MissingSecrets.Check(bundle, store).ToArray());
        var again = session.Run(null, "rm", "api_token");
        Assert.AreEqual(0, again.ExitCode, again.ToString());
        StringAssert.Contains(again.StandardError, "nothing to remove");
        Assert.IsTrue(session.Json("rm", "Stray:Key").GetProperty("removed").GetBoolean(), "undeclared leftovers can be removed");

        // No value ever reached the tool's output.
        var everything = string.Join("\n", session.Results.Select(r => r.All));
        foreach (var value in Values)
        {
            Assert.DoesNotContain(value, everything);
        }
    }

    [TestMethod]
    public void AKitThatDeclaresNoSecretsSaysSo()
    {
        var kit = TestKit.Create("plain", """
            version: '1'
            name: plain
            workloads:
              app:
                runtime:
                  source:
                    toolchain: bun
                    start:
                      command: bun run index.ts
            """, new Dictionary<string, IReadOnlyDictionary<string, string>>
        {
            ["app"] = new Dictionary<string, string> { ["index.ts"] = "console.log('app');\n" },
        });
        using var home = new TempFolder();
        var set = Processes.Capakit(home.Path, kit.Directory, ["secrets", "set", "api_token", "x"]);
        Assert.AreEqual(ExitCodes.Usage, set.ExitCode, set.ToString());
        StringAssert.Contains(set.StandardError, "declares no secrets");
        Assert.IsNull(UserSecretsId(kit), "a refused set changes nothing");
        var list = Processes.Capakit(home.Path, kit.Directory, ["secrets", "list"]);
        Assert.AreEqual(0, list.ExitCode, list.ToString());
        StringAssert.Contains(list.StandardError, "declares no secrets");
    }
}
