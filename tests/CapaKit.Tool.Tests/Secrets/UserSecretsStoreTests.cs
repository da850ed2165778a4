using System.Text;
using CapaKit.Tool.Secrets;

namespace CapaKit.Tool.Tests.Secrets;

/// <summary>The user-secrets store on real files in a temp HOME, and its interplay with the real `dotnet user-secrets`.</summary>
[TestClass]
public sealed class UserSecretsStoreTests
{
    private const UnixFileMode Mode600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode Mode700 = Mode600 | UnixFileMode.UserExecute;

    [TestMethod]
    public void SetGetListRemoveRoundTrip()
    {
        using var home = new TempFolder();
        var store = new UserSecretsStore("round-trip", home.UserSecretsRoot);
        Assert.AreEqual(Path.Combine(home.Path, ".microsoft", "usersecrets", "round-trip", "secrets.json"), store.FilePath);
        Assert.IsNull(store.Get("api_token"));
        Assert.IsFalse(store.TryGet("api_token", out var none));
        Assert.AreEqual("", none);

        store.Set("api_token", "t0ken \"quoted\" + <html> & ünïcode\nsecond line");
        store.Set("other", "x");
        Assert.AreEqual("t0ken \"quoted\" + <html> & ünïcode\nsecond line", store.Get("api_token"));
        Assert.IsTrue(store.TryGet("API_TOKEN", out var value), "keys are case-insensitive like configuration keys");
        Assert.AreEqual("t0ken \"quoted\" + <html> & ünïcode\nsecond line", value);
        CollectionAssert.AreEqual(new[] { "api_token", "other" }, store.List().ToArray());

        store.Set("API_TOKEN", "replaced");
        CollectionAssert.AreEqual(new[] { "API_TOKEN", "other" }, store.List().ToArray(), "replacing keeps the key's place");
        Assert.AreEqual("replaced", new UserSecretsStore("round-trip", home.UserSecretsRoot).Get("api_token"), "a fresh store reads the same file");

        Assert.IsTrue(store.Remove("api_token"));
        Assert.IsFalse(store.Remove("api_token"));
        CollectionAssert.AreEqual(new[] { "other" }, store.List().ToArray());
        Assert.IsEmpty(Directory.GetFiles(Path.GetDirectoryName(store.FilePath)!, "*.tmp"), "no temp files are left behind");
    }

    [TestMethod]
    public void EmptyValueCountsAsNotSet()
    {
        using var home = new TempFolder();
        var store = new UserSecretsStore("empty", home.UserSecretsRoot);
        store.Set("blank", "");
        Assert.AreEqual("", store.Get("blank"));
        Assert.IsFalse(store.TryGet("blank", out _));
    }

    [TestMethod]
    public void RemoveOnAMissingStoreCreatesNothing()
    {
        using var home = new TempFolder();
        var store = new UserSecretsStore("nothing-here", home.UserSecretsRoot);
        Assert.IsFalse(store.Remove("x"));
        Assert.IsFalse(Directory.Exists(Path.GetDirectoryName(store.FilePath)));
    }

    [TestMethod]
    public void ReadsNestedObjectsArraysAndNonStringsFlattenedLikeConfiguration()
    {
        using var home = new TempFolder();
        var store = new UserSecretsStore("nested", home.UserSecretsRoot);
        Directory.CreateDirectory(Path.GetDirectoryName(store.FilePath)!);
        // BOM, comments and trailing commas as `dotnet user-secrets` and hand edits leave them.
        File.WriteAllBytes(store.FilePath, [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("""
            {
              // a comment
              "Outer": { "Inner": "deep", "More": { "Leaf": "deeper" } },
              "list": [ "a", { "b": "c" } ],
              "number": 42,
              "flag": true,
              "nothing": null,
              "emptyObject": {},
              "flat:key": "flat",
            }
            """)]);

        Assert.AreEqual("deep", store.Get("Outer:Inner"));
        Assert.AreEqual("deeper", store.Get("outer:more:leaf"));
        Assert.AreEqual("a", store.Get("list:0"));
        Assert.AreEqual("c", store.Get("list:1:b"));
        Assert.AreEqual("42", store.Get("number"));
        Assert.AreEqual("true", store.Get("flag"));
        Assert.AreEqual("", store.Get("nothing"));
        Assert.IsNull(store.Get("emptyObject"));
        Assert.AreEqual("flat", store.Get("flat:key"));

        // Writing keeps every value, flattened: the same thing `dotnet user-secrets set` does to such a file.
        store.Set("added", "new");
        var text = File.ReadAllText(store.FilePath);
        StringAssert.Contains(text, "\"Outer:More:Leaf\": \"deeper\"");
        StringAssert.Contains(text, "\"list:1:b\": \"c\"");
        Assert.AreEqual("deeper", new UserSecretsStore("nested", home.UserSecretsRoot).Get("Outer:More:Leaf"));
        Assert.AreEqual("new", store.Get("added"));
    }

    [TestMethod]
    public void InvalidJsonIsOneClearErrorThatQuotesNothingFromTheFile()
    {
        using var home = new TempFolder();
        var store = new UserSecretsStore("broken", home.UserSecretsRoot);
        Directory.CreateDirectory(Path.GetDirectoryName(store.FilePath)!);
        File.WriteAllText(store.FilePath, "{\n  \"api_token\": \"s3cr3t-value\n");
        var error = Assert.ThrowsExactly<CapaKitException>(() => store.Get("api_token"));
        StringAssert.Contains(error.Message, store.FilePath);
        StringAssert.Contains(error.Message, "not valid JSON");
        Assert.DoesNotContain("s3cr3t", error.Message);

        File.WriteAllText(store.FilePath, "[\"array\"]");
        StringAssert.Contains(Assert.ThrowsExactly<CapaKitException>(() => store.Get("x")).Message, "one JSON object");
    }

    [TestMethod]
    public void WritesFile0600InFolder0700EvenWhenTheFolderWasWider()
    {
        using var home = new TempFolder();
        var store = new UserSecretsStore("modes", home.UserSecretsRoot);
        var folder = Path.GetDirectoryName(store.FilePath)!;
        Directory.CreateDirectory(folder);
        File.SetUnixFileMode(folder, Mode700 | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);

        store.Set("api_token", "v");
        Assert.AreEqual(Mode600, File.GetUnixFileMode(store.FilePath));
        Assert.AreEqual(Mode700, File.GetUnixFileMode(folder));

        // A fresh tree is private from the start.
        var fresh = new UserSecretsStore("fresh", home.UserSecretsRoot);
        fresh.Set("k", "v");
        Assert.AreEqual(Mode600, File.GetUnixFileMode(fresh.FilePath));
        Assert.AreEqual(Mode700, File.GetUnixFileMode(Path.GetDirectoryName(fresh.FilePath)!));
    }

    [TestMethod]
    public void ConcurrentWritersLoseNoUpdates()
    {
        using var home = new TempFolder();
        const int writers = 8, each = 25;
        // Separate store objects, as separate processes would have: only the lock file keeps them apart.
        Parallel.For(0, writers, new ParallelOptions { MaxDegreeOfParallelism = writers }, w =>
        {
            var store = new UserSecretsStore("concurrent", home.UserSecretsRoot);
            for (var i = 0; i < each; i++)
            {
                store.Set($"w{w}_k{i}", $"value-{w}-{i}");
            }
        });
        var check = new UserSecretsStore("concurrent", home.UserSecretsRoot);
        Assert.HasCount(writers * each, check.List());
        Assert.AreEqual("value-7-24", check.Get("w7_k24"));
    }

    [TestMethod]
    public void AWriterWaitsWhileAnotherHoldsTheLockFile()
    {
        using var home = new TempFolder();
        // Another process's writer is simulated by holding the lock file the way the store does (flock via FileShare.None).
        var store = new UserSecretsStore("procs", home.UserSecretsRoot);
        var lockPath = store.FilePath + ".lock";
        Directory.CreateDirectory(Path.GetDirectoryName(store.FilePath)!);
        using var held = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        var writer = Task.Run(() => store.Set("waited", "yes"));
        Thread.Sleep(300);
        Assert.IsFalse(writer.IsCompleted, "a writer waits while another holds the lock");
        held.Dispose();
        Assert.IsTrue(writer.Wait(TimeSpan.FromSeconds(10)));
        Assert.AreEqual("yes", store.Get("waited"));
    }

    [TestMethod]
    public void ChangesMadeElsewhereAreSeenWithoutReopening()
    {
        using var home = new TempFolder();
        var reader = new UserSecretsStore("live", home.UserSecretsRoot);
        Assert.IsFalse(reader.TryGet("api_token", out _));

        new UserSecretsStore("live", home.UserSecretsRoot).Set("api_token", "first");
        Assert.IsTrue(reader.TryGet("api_token", out var first));
        Assert.AreEqual("first", first);

        // An in-place rewrite (what `dotnet user-secrets` does) of a different length.
        File.WriteAllText(reader.FilePath, "{ \"api_token\": \"second-value\" }");
        Assert.IsTrue(reader.TryGet("api_token", out var second));
        Assert.AreEqual("second-value", second);

        File.Delete(reader.FilePath);
        Assert.IsFalse(reader.TryGet("api_token", out _));
    }

    [TestMethod]
    public void ReadsAndWritesTheSameFileAsDotnetUserSecrets()
    {
        using var home = new TempFolder();
        var id = "capakit-test-" + Guid.NewGuid().ToString("N")[..8];

        var set = Processes.Dotnet(home.Path, ["user-secrets", "set", "Outer:api_token", "from-dotnet", "--id", id]);
        Assert.AreEqual(0, set.ExitCode, set.ToString());
        var store = new UserSecretsStore(id, home.UserSecretsRoot);
        Assert.AreEqual("from-dotnet", store.Get("Outer:api_token"));

        store.Set("from_capakit", "ours");
        var list = Processes.Dotnet(home.Path, ["user-secrets", "list", "--id", id]);
        Assert.AreEqual(0, list.ExitCode, list.ToString());
        StringAssert.Contains(list.StandardOutput, "from_capakit = ours");
        StringAssert.Contains(list.StandardOutput, "Outer:api_token = from-dotnet");

        var remove = Processes.Dotnet(home.Path, ["user-secrets", "remove", "from_capakit", "--id", id]);
        Assert.AreEqual(0, remove.ExitCode, remove.ToString());
        Assert.IsNull(store.Get("from_capakit"));
    }

    [TestMethod]
    public void PathsFollowTheFrameworkRules()
    {
        Assert.AreEqual("/home/u/.microsoft/usersecrets", UserSecretsPaths.Root(n => n == "HOME" ? "/home/u" : null));
        Assert.AreEqual(Path.Combine("/appdata", "Microsoft", "UserSecrets"),
            UserSecretsPaths.Root(n => n switch { "APPDATA" => "/appdata", "HOME" => "/home/u", _ => null }));
        Assert.AreEqual("/r/abc/secrets.json", UserSecretsPaths.SecretsFile("/r", "abc"));
        foreach (var bad in new[] { "../escape", "a/b", "a\\b", "..", "", " " })
        {
            Assert.ThrowsExactly<CapaKitException>(() => UserSecretsPaths.SecretsFile("/r", bad), bad);
        }
    }
}
