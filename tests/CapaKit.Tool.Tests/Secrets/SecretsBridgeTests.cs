using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using CapaKit.Tool.Secrets;

namespace CapaKit.Tool.Tests.Secrets;

/// <summary>The bridge over a real unix socket, spoken to with HttpClient.</summary>
[TestClass]
public sealed class SecretsBridgeTests
{
    private const string Value = "tok-9f8e7d6c5b4a-very-secret";

    /// <summary>A bridge for workload "api" on a socket in its own temp folder, with a client and a captured log.</summary>
    private sealed class Harness : IAsyncDisposable
    {
        private readonly TempFolder _folder;

        public required SecretsBridge Bridge { get; init; }
        public required HttpClient Client { get; init; }
        public required CapturingLogger Log { get; init; }

        public static async Task<Harness> StartAsync(ISecretSource? source = null, string[]? allowed = null)
        {
            var folder = new TempFolder();
            var log = new CapturingLogger();
            var bridge = await SecretsBridge.StartAsync(folder.File("br.sock"), "api", allowed ?? ["api_token", "unset_one"],
                source ?? new FakeSecrets(new() { ["api_token"] = Value, ["other"] = "not-for-api" }), log, CancellationToken.None);
            return new Harness(folder) { Bridge = bridge, Client = UnixHttp.Client(bridge.SocketPath), Log = log };
        }

        private Harness(TempFolder folder) => _folder = folder;

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await Bridge.DisposeAsync();
            _folder.Dispose();
        }
    }

    private static async Task<(HttpStatusCode Status, string? ContentType, string Body)> PostAsync(HttpClient client, string body,
        string contentType = BridgeProtocol.ContentType, string path = "/rpc", HttpMethod? method = null)
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Post, path);
        if (method is null || method == HttpMethod.Post)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }
        using var response = await client.SendAsync(request);
        return (response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync());
    }

    private static JsonElement Line(string body)
    {
        Assert.EndsWith("\n", body, "one JSON line, ending with a line break");
        Assert.AreEqual(1, body.Count(c => c == '\n'), body);
        return JsonDocument.Parse(body).RootElement;
    }

    private static string Resolve(string secret, string id = "1") =>
        JsonSerializer.Serialize(new { id, op = "resolve_secret", @params = new { secret_mid = secret } }) + "\n";

    private static async Task AssertStillServesAsync(HttpClient client)
    {
        var (status, _, body) = await PostAsync(client, Resolve("api_token", "after"));
        Assert.AreEqual(HttpStatusCode.OK, status);
        Assert.AreEqual(Value, Line(body).GetProperty("ok").GetProperty("value").GetString());
    }

    [TestMethod]
    public async Task GrantsADeclaredSecret()
    {
        await using var h = await Harness.StartAsync();
        var (bridge, client, log) = (h.Bridge, h.Client, h.Log);

        var (status, type, body) = await PostAsync(client, Resolve("api_token", "7"));
        Assert.AreEqual(HttpStatusCode.OK, status);
        Assert.AreEqual(BridgeProtocol.ContentType, type);
        var answer = Line(body);
        Assert.AreEqual("7", answer.GetProperty("id").GetString());
        Assert.AreEqual(Value, answer.GetProperty("ok").GetProperty("value").GetString());
        Assert.IsFalse(answer.TryGetProperty("error", out _));

        var entry = bridge.Audit.Single();
        Assert.AreEqual(("api", "api_token", SecretOutcome.Granted), (entry.Workload, entry.Secret, entry.Outcome));
        StringAssert.Contains(log.All, "Workload api resolved secret api_token");
    }

    [TestMethod]
    public async Task RefusesUndeclaredAndUnsetSecretsWithClearMessages()
    {
        await using var h = await Harness.StartAsync();
        var (bridge, client, log) = (h.Bridge, h.Client, h.Log);

        // "other" has a value in the store, but this workload may not have it.
        var undeclared = Line((await PostAsync(client, Resolve("other", "a"))).Body);
        Assert.AreEqual("a", undeclared.GetProperty("id").GetString());
        StringAssert.StartsWith(undeclared.GetProperty("error").GetProperty("message").GetString(), "secret other is not declared for workload api");
        Assert.IsFalse(undeclared.TryGetProperty("ok", out _));

        var unset = Line((await PostAsync(client, Resolve("unset_one", "b"))).Body);
        var message = unset.GetProperty("error").GetProperty("message").GetString()!;
        StringAssert.Contains(message, "unset_one");
        StringAssert.Contains(message, "dotnet capakit secrets set unset_one");

        CollectionAssert.AreEqual(
            new[] { ("other", SecretOutcome.NotDeclared), ("unset_one", SecretOutcome.NotSet) },
            bridge.Audit.Select(a => (a.Secret, a.Outcome)).ToArray());
        StringAssert.Contains(log.All, "Workload api was refused secret other: NotDeclared");
        Assert.DoesNotContain("not-for-api", log.All + string.Join(" ", bridge.Audit));
    }

    [TestMethod]
    [DataRow("{not json", "not valid JSON", null)]
    [DataRow("[1,2]", "JSON object", null)]
    [DataRow("{\"op\":\"resolve_secret\",\"params\":{\"secret_mid\":\"api_token\"}}", "no \"id\"", null)]
    [DataRow("{\"id\":\"5\",\"params\":{}}", "no \"op\"", "5")]
    [DataRow("{\"id\":\"6\",\"op\":\"resolve_secret\"}", "secret_mid", "6")]
    [DataRow("{\"id\":\"7\",\"op\":\"resolve_secret\",\"params\":{\"secret_mid\":42}}", "secret_mid", "7")]
    [DataRow("{\"id\":\"8\",\"op\":\"delete_everything\",\"params\":{}}", "unknown op 'delete_everything'", "8")]
    [DataRow("{\"id\":\"9\",\"op\":\"resolve_secret\",\"params\":{\"secret_mid\":\"api_token\"}}\n{\"id\":\"10\"}", "exactly one JSON line", null)]
    [DataRow("", "not valid JSON", null)]
    public async Task BadFramesGetAnErrorLineAndTheBridgeKeepsServing(string frame, string expected, string? id)
    {
        await using var h = await Harness.StartAsync();
        var (bridge, client, log) = (h.Bridge, h.Client, h.Log);

        var (status, type, body) = await PostAsync(client, frame + "\n");
        Assert.AreEqual(HttpStatusCode.OK, status, body);
        Assert.AreEqual(BridgeProtocol.ContentType, type);
        var answer = Line(body);
        StringAssert.Contains(answer.GetProperty("error").GetProperty("message").GetString(), expected);
        if (id is null)
        {
            Assert.AreEqual(JsonValueKind.Null, answer.GetProperty("id").ValueKind);
        }
        else
        {
            Assert.AreEqual(id, answer.GetProperty("id").GetString());
        }
        StringAssert.Contains(log.All, "sent a bridge request that was refused");
        await AssertStillServesAsync(client);
    }

    [TestMethod]
    public async Task FramesOver4MiBAreRefusedWith413AndTheBridgeKeepsServing()
    {
        await using var h = await Harness.StartAsync();
        var (bridge, client) = (h.Bridge, h.Client);

        var huge = Resolve("api_token").TrimEnd('\n')[..^1] + ",\"pad\":\"" + new string('x', BridgeProtocol.MaxFrameBytes) + "\"}\n";
        var (status, type, body) = await PostAsync(client, huge);
        Assert.AreEqual(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.AreEqual(BridgeProtocol.ContentType, type);
        StringAssert.Contains(Line(body).GetProperty("error").GetProperty("message").GetString(), "4 MiB");
        await AssertStillServesAsync(client);

        // Chunked (no Content-Length): refused while reading.
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/rpc") { Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(huge))) })
        {
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(BridgeProtocol.ContentType);
            request.Headers.TransferEncodingChunked = true;
            using var response = await client.SendAsync(request);
            Assert.AreEqual(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        }
        await AssertStillServesAsync(client);
        Assert.IsEmpty(bridge.Audit.Where(a => a.Outcome != SecretOutcome.Granted));
    }

    [TestMethod]
    public async Task AFrameOfExactly4MiBIsServed()
    {
        await using var h = await Harness.StartAsync();
        var (bridge, client) = (h.Bridge, h.Client);

        var head = "{\"id\":\"big\",\"op\":\"resolve_secret\",\"params\":{\"secret_mid\":\"api_token\",\"pad\":\"";
        var tail = "\"}}";
        var frame = head + new string('x', BridgeProtocol.MaxFrameBytes - head.Length - tail.Length) + tail;
        Assert.AreEqual(BridgeProtocol.MaxFrameBytes, Encoding.UTF8.GetByteCount(frame));
        var (status, _, body) = await PostAsync(client, frame + "\r\n");
        Assert.AreEqual(HttpStatusCode.OK, status);
        Assert.AreEqual(Value, Line(body).GetProperty("ok").GetProperty("value").GetString());
    }

    [TestMethod]
    public async Task WrongMethodPathOrContentTypeAre4xxAndTheBridgeKeepsServing()
    {
        await using var h = await Harness.StartAsync();
        var (bridge, client) = (h.Bridge, h.Client);

        Assert.AreEqual(HttpStatusCode.MethodNotAllowed, (await PostAsync(client, "", method: HttpMethod.Get)).Status);
        Assert.AreEqual(HttpStatusCode.MethodNotAllowed, (await PostAsync(client, Resolve("api_token"), method: HttpMethod.Put)).Status);
        Assert.AreEqual(HttpStatusCode.NotFound, (await PostAsync(client, Resolve("api_token"), path: "/other")).Status);
        Assert.AreEqual(HttpStatusCode.UnsupportedMediaType, (await PostAsync(client, Resolve("api_token"), contentType: "application/json")).Status);
        Assert.AreEqual(HttpStatusCode.OK, (await PostAsync(client, Resolve("api_token"), contentType: "Application/X-CapaKit-Workload-Bridge-JSONL; charset=utf-8")).Status,
            "media type parameters and case do not matter");
        await AssertStillServesAsync(client);
        Assert.HasCount(2, bridge.Audit);
    }

    [TestMethod]
    public async Task SocketIs0600AndRemovedOnDispose()
    {
        await using var h = await Harness.StartAsync();
        var bridge = h.Bridge;
        Assert.AreEqual(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(bridge.SocketPath));
        await bridge.DisposeAsync();
        Assert.IsFalse(File.Exists(bridge.SocketPath));
        await bridge.DisposeAsync(); // twice is fine
    }

    [TestMethod]
    public async Task AStaleSocketIsReplacedButALiveOneIsNot()
    {
        using var folder = new TempFolder();
        var path = folder.File("br.sock");
        using (var stale = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            // .NET deletes the files of sockets it bound when they are disposed; a crashed runtime does not.
            stale.Bind(new UnixDomainSocketEndPoint(path + ".tmp"));
            File.Move(path + ".tmp", path);
        }
        Assert.IsTrue(File.Exists(path));
        await using var bridge = await SecretsBridge.StartAsync(path, "api", ["api_token"], new FakeSecrets(new() { ["api_token"] = Value }),
            new CapturingLogger(), CancellationToken.None);
        using var client = UnixHttp.Client(path);
        await AssertStillServesAsync(client);

        var error = await Assert.ThrowsExactlyAsync<CapaKitException>(() => SecretsBridge.StartAsync(path, "api", [], new FakeSecrets([]),
            new CapturingLogger(), CancellationToken.None));
        StringAssert.Contains(error.Message, "already serves");
        await AssertStillServesAsync(client);
    }

    [TestMethod]
    public async Task AMissingSocketFolderIsOneClearError()
    {
        using var folder = new TempFolder();
        var error = await Assert.ThrowsExactlyAsync<CapaKitException>(() => SecretsBridge.StartAsync(folder.File("gone/br.sock"), "api", [],
            new FakeSecrets([]), new CapturingLogger(), CancellationToken.None));
        StringAssert.Contains(error.Message, "Could not listen on");
    }

    [TestMethod]
    public async Task ValuesSetWhileTheBridgeRunsAreServedAndNeverLogged()
    {
        using var home = new TempFolder();
        var store = new UserSecretsStore("live-bridge", home.UserSecretsRoot);
        await using var h = await Harness.StartAsync(store, ["api_token"]);
        var (bridge, client, log) = (h.Bridge, h.Client, h.Log);

        StringAssert.Contains(Line((await PostAsync(client, Resolve("api_token"))).Body).GetProperty("error").GetProperty("message").GetString(), "has no value");
        new UserSecretsStore("live-bridge", home.UserSecretsRoot).Set("api_token", Value);
        await AssertStillServesAsync(client);

        // A broken store file is an error answer naming the file, not a crash.
        File.WriteAllText(store.FilePath, "{ \"api_token\": ");
        var broken = Line((await PostAsync(client, Resolve("api_token"))).Body).GetProperty("error").GetProperty("message").GetString()!;
        StringAssert.Contains(broken, "not valid JSON");
        File.WriteAllText(store.FilePath, $"{{ \"api_token\": \"{Value}\" }}");
        await AssertStillServesAsync(client);

        CollectionAssert.AreEqual(
            new[] { SecretOutcome.NotSet, SecretOutcome.Granted, SecretOutcome.Unavailable, SecretOutcome.Granted },
            bridge.Audit.Select(a => a.Outcome).ToArray());
        Assert.IsNotEmpty(log.Lines);
        Assert.DoesNotContain(Value, log.All);
        Assert.DoesNotContain(Value, string.Join("\n", bridge.Audit));
    }

    [TestMethod]
    public async Task ConcurrentRequestsAreAllAnswered()
    {
        await using var h = await Harness.StartAsync();
        var (bridge, client) = (h.Bridge, h.Client);

        var answers = await Task.WhenAll(Enumerable.Range(0, 50).Select(async i =>
            Line((await PostAsync(client, Resolve(i % 2 == 0 ? "api_token" : "other", i.ToString(System.Globalization.CultureInfo.InvariantCulture)))).Body)));
        for (var i = 0; i < answers.Length; i++)
        {
            Assert.AreEqual(i.ToString(System.Globalization.CultureInfo.InvariantCulture), answers[i].GetProperty("id").GetString());
            Assert.AreEqual(i % 2 == 0, answers[i].TryGetProperty("ok", out _));
        }
        Assert.HasCount(50, bridge.Audit);
    }
}
