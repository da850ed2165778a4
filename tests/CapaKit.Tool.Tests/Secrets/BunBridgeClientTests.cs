using System.Text.Json;
using CapaKit.Tool.Secrets;
using CapaKit.Tool.Tests.Support;

namespace CapaKit.Tool.Tests.Secrets;

/// <summary>
/// Real Bun clients against the bridge: the todo sample's own bridge client (samples/todo/workloads/api/src/contract.ts)
/// and a node:http client framed the way the public reference SDK frames its requests (Content-Length, Connection: close).
/// </summary>
[TestClass]
public sealed class BunBridgeClientTests
{
    private const string Value = "bun-visible-7c1e2f-secret";

    private static string Contract => Path.Combine(TestMachine.RepoRoot, "samples", "todo", "workloads", "api", "src", "contract.ts");

    private const string SampleClientScript = """
        import { bridge, parseBind, fetchVia, BRIDGE_CONTENT_TYPE, MAX_FRAME_BYTES } from "CONTRACT";

        const client = bridge();
        const bind = parseBind(process.env.CAPAKIT_WORKLOAD_BRIDGE_BIND!);
        const out: Record<string, unknown> = {};
        async function attempt(key: string, fn: () => Promise<unknown>) {
          try { out[key] = { ok: await fn() }; } catch (e) { out[key] = { error: (e as Error).message }; }
        }
        async function raw(body: string) {
          const r = await fetchVia(bind, "/rpc", { method: "POST", headers: { "content-type": BRIDGE_CONTENT_TYPE }, body });
          return { status: r.status, type: r.headers.get("content-type"), text: await r.text() };
        }
        const big = { secret_mid: "api_token", pad: "x".repeat(MAX_FRAME_BYTES) };

        await attempt("granted", () => client.resolveSecret("api_token"));
        await attempt("undeclared", () => client.resolveSecret("other"));
        await attempt("missing", () => client.resolveSecret("unset_one"));
        await attempt("malformed", () => raw("{this is not json\n"));
        await attempt("afterMalformed", () => client.resolveSecret("api_token"));
        await attempt("oversized", () => raw(JSON.stringify({ id: "x", op: "resolve_secret", params: big }) + "\n"));
        await attempt("oversizedByClient", () => client.call("resolve_secret", big));
        await attempt("afterOversized", () => client.resolveSecret("api_token"));
        await attempt("unknownOp", () => client.call("launch_rockets", {}));
        await attempt("afterUnknownOp", () => client.resolveSecret("api_token"));
        console.log(JSON.stringify(out));
        """;

    private const string NodeHttpClientScript = """
        import { request } from "node:http";

        const socketPath = process.env.CAPAKIT_WORKLOAD_BRIDGE_BIND!.slice("unix:".length);
        let next = 1;
        function call(op: string, params: unknown): Promise<unknown> {
          const id = String(next++);
          const frame = Buffer.from(JSON.stringify({ id, op, params }) + "\n", "utf8");
          return new Promise((resolve, reject) => {
            const req = request({
              socketPath, path: "/rpc", method: "POST",
              headers: { "content-type": "application/x-capakit-workload-bridge-jsonl", "content-length": String(frame.length), connection: "close" },
            }, (res) => {
              const chunks: Buffer[] = [];
              res.on("data", (c: Buffer) => chunks.push(c));
              res.on("end", () => {
                const lines = Buffer.concat(chunks).toString("utf8").split("\n").filter((l) => l.length > 0).map((l) => JSON.parse(l));
                resolve({ status: res.statusCode, type: res.headers["content-type"], id, lines });
              });
              res.on("error", reject);
            });
            req.on("error", reject);
            req.end(frame);
          });
        }
        const out = {
          granted: await call("resolve_secret", { secret_mid: "api_token" }),
          undeclared: await call("resolve_secret", { secret_mid: "other" }),
          unknownOp: await call("nope", {}),
          again: await call("resolve_secret", { secret_mid: "api_token" }),
        };
        console.log(JSON.stringify(out));
        """;

    private static async Task<(JsonElement Output, SecretsBridge Bridge, CapturingLogger Log)> RunAsync(string script, TempFolder folder)
    {
        var store = new UserSecretsStore("bun-client", folder.UserSecretsRoot);
        store.Set("api_token", Value);
        store.Set("other", "other-value-not-for-api");
        var log = new CapturingLogger();
        var bridge = await SecretsBridge.StartAsync(folder.File("br.sock"), "api", ["api_token", "unset_one"], store, log, CancellationToken.None);
        var file = folder.File("client.ts");
        File.WriteAllText(file, script.Replace("CONTRACT", Contract, StringComparison.Ordinal));
        var result = await Task.Run(() => Processes.Run(TestMachine.Bun, ["run", file], new Dictionary<string, string>
        {
            ["HOME"] = folder.Path,
            ["TMPDIR"] = folder.Path,
            // The names the runtime sets for the samples' contract helper (today's, both SDK eras).
            ["CAPAKIT_WORKLOAD_BRIDGE_BIND"] = "unix:" + bridge.SocketPath,
            ["CAPAKIT_WORKLOAD_KEY"] = "api",
        }, folder.Path, timeout: TimeSpan.FromMinutes(2)));
        Assert.AreEqual(0, result.ExitCode, result.ToString());
        return (JsonDocument.Parse(result.StandardOutput).RootElement, bridge, log);
    }

    private static string Ok(JsonElement output, string key)
    {
        Assert.IsTrue(output.GetProperty(key).TryGetProperty("ok", out var ok), $"{key}: {output.GetProperty(key)}");
        return ok.ValueKind == JsonValueKind.String ? ok.GetString()! : ok.GetRawText();
    }

    private static string Error(JsonElement output, string key)
    {
        Assert.IsTrue(output.GetProperty(key).TryGetProperty("error", out var error), $"{key} should fail: {output.GetProperty(key)}");
        return error.GetString()!;
    }

    [TestMethod]
    public async Task TheSampleWorkloadsBridgeClientWorksUnchanged()
    {
        using var folder = new TempFolder();
        var (output, bridge, log) = await RunAsync(SampleClientScript, folder);
        await using var running = bridge;

        Assert.AreEqual(Value, Ok(output, "granted"));
        Assert.AreEqual("bridge refused resolve_secret: secret other is not declared for workload api; list it under the workload's `secrets` (and the Kit's top-level `secrets`) in capability.yml",
            Error(output, "undeclared"));
        Assert.AreEqual("bridge refused resolve_secret: secret unset_one has no value; set it on the host with `dotnet capakit secrets set unset_one`",
            Error(output, "missing"));

        // A malformed frame gets an error line (with a null id: it had none to echo) and the next request succeeds.
        var malformed = JsonDocument.Parse(Ok(output, "malformed")).RootElement;
        Assert.AreEqual(200, malformed.GetProperty("status").GetInt32());
        StringAssert.Contains(malformed.GetProperty("text").GetString(), "not valid JSON");
        Assert.AreEqual(Value, Ok(output, "afterMalformed"));

        // Over 4 MiB: the server answers 413; the sample client refuses to send such a frame at all.
        var oversized = JsonDocument.Parse(Ok(output, "oversized")).RootElement;
        Assert.AreEqual(413, oversized.GetProperty("status").GetInt32());
        Assert.AreEqual(BridgeProtocol.ContentType, oversized.GetProperty("type").GetString());
        Assert.AreEqual("bridge request frame is too large", Error(output, "oversizedByClient"));
        Assert.AreEqual(Value, Ok(output, "afterOversized"));

        Assert.AreEqual("bridge refused launch_rockets: unknown op 'launch_rockets'; this bridge serves resolve_secret and workload_ready", Error(output, "unknownOp"));
        Assert.AreEqual(Value, Ok(output, "afterUnknownOp"));

        CollectionAssert.AreEqual(
            new[]
            {
                ("api_token", SecretOutcome.Granted), ("other", SecretOutcome.NotDeclared), ("unset_one", SecretOutcome.NotSet),
                ("api_token", SecretOutcome.Granted), ("api_token", SecretOutcome.Granted), ("api_token", SecretOutcome.Granted),
            },
            bridge.Audit.Select(a => (a.Secret, a.Outcome)).ToArray());
        Assert.DoesNotContain(Value, log.All);
        Assert.DoesNotContain("other-value-not-for-api", log.All);
        StringAssert.Contains(log.All, "unknown op 'launch_rockets'");
    }

    [TestMethod]
    public async Task ANodeHttpClientFramedLikeTheReferenceSdkWorks()
    {
        using var folder = new TempFolder();
        var (output, bridge, log) = await RunAsync(NodeHttpClientScript, folder);
        await using var running = bridge;

        foreach (var key in new[] { "granted", "undeclared", "unknownOp", "again" })
        {
            var answer = output.GetProperty(key);
            Assert.AreEqual(200, answer.GetProperty("status").GetInt32(), key);
            Assert.AreEqual(BridgeProtocol.ContentType, answer.GetProperty("type").GetString(), key);
            var line = answer.GetProperty("lines").EnumerateArray().Single();
            Assert.AreEqual(answer.GetProperty("id").GetString(), line.GetProperty("id").GetString(), "the answer carries the request's string id");
        }
        Assert.AreEqual(Value, output.GetProperty("granted").GetProperty("lines")[0].GetProperty("ok").GetProperty("value").GetString());
        Assert.AreEqual(Value, output.GetProperty("again").GetProperty("lines")[0].GetProperty("ok").GetProperty("value").GetString());
        StringAssert.StartsWith(output.GetProperty("undeclared").GetProperty("lines")[0].GetProperty("error").GetProperty("message").GetString(),
            "secret other is not declared for workload api");
        Assert.HasCount(3, bridge.Audit);
        Assert.DoesNotContain(Value, log.All);
    }
}
