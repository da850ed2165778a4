using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CapaKit.Tool.Tests.Support;

namespace CapaKit.Tool.Tests.Runtime;

/// <summary>samples/todo as a whole Kit: a secret from the user-secrets store, a host mount, web → api over the mTLS mesh.</summary>
[TestClass]
public sealed class TodoKitTests
{
    [TestMethod]
    public void TheTodoKitRunsWithItsSecretAndMountAndRefusesToStartWithoutThem()
    {
        var kit = RuntimeKits.Sample("todo");
        using var home = new TempHome();
        using var otherHome = new TempHome();
        var data = Directory.CreateDirectory(Path.Combine(TestMachine.Root, "todo-data-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        var token = "todo-token-" + Guid.NewGuid().ToString("N");
        var capakit = new Capakit(kit, home.Path);
        try
        {
            capakit.SetSecret("api_token", token);

            // Another user (HOME) has no value for api_token: one sentence naming it, usage exit code, in both modes.
            var withoutSecret = new Capakit(kit, otherHome.Path);
            foreach (var args in new[] { new[] { "up", "--mount", $"data={data}" }, ["up", "-d", "--mount", $"data={data}"] })
            {
                var refused = withoutSecret.Run(args);
                Assert.AreEqual(2, refused.ExitCode, refused.ToString());
                var error = refused.StandardError.Trim();
                StringAssert.StartsWith(error, "error: ");
                StringAssert.Contains(error, "'api_token'");
                Assert.DoesNotContain("\n", error, "one sentence, one line: " + error);
            }

            foreach (var args in new[] { new[] { "up" }, ["up", "-d"] })
            {
                var refused = capakit.Run(args);
                Assert.AreEqual(2, refused.ExitCode, refused.ToString());
                StringAssert.Contains(refused.StandardError, "host mount 'data'");
                StringAssert.Contains(refused.StandardError, "--mount data=");
            }
            Assert.IsEmpty(HostProcessTable.WaitUntilKitGone(kit, TimeSpan.FromSeconds(10)));

            var gateway = capakit.Up("--mount", $"data={data}");
            using var http = GatewayHttp.Client(gateway);

            var list = http.GetJson("/api/todos");
            Assert.AreEqual(JsonValueKind.Array, list.GetProperty("todos").ValueKind, list.ToString());

            using (var anonymous = http.PostAsync("/api/todos", Json(new { title = "no token" })).GetAwaiter().GetResult())
            {
                Assert.AreEqual(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            }
            using (var wrong = new HttpRequestMessage(HttpMethod.Post, "/api/todos") { Content = Json(new { title = "wrong token" }) })
            {
                wrong.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "not-" + token);
                using var response = http.SendAsync(wrong).GetAwaiter().GetResult();
                Assert.AreEqual(HttpStatusCode.Unauthorized, response.StatusCode);
            }

            var viaApi = "from the api " + Guid.NewGuid().ToString("N")[..6];
            using (var authorized = new HttpRequestMessage(HttpMethod.Post, "/api/todos") { Content = Json(new { title = viaApi }) })
            {
                authorized.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                using var response = http.SendAsync(authorized).GetAwaiter().GetResult();
                var body = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
                Assert.IsTrue(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
                Assert.AreEqual(viaApi, JsonDocument.Parse(body).RootElement.GetProperty("title").GetString());
            }
            CollectionAssert.Contains(SavedTitles(data), viaApi);

            // The web workload's form: web resolves api_token over its own bridge and calls api over the mTLS mesh.
            var viaWeb = "from the page " + Guid.NewGuid().ToString("N")[..6];
            using (var form = new HttpRequestMessage(HttpMethod.Post, "/add") { Content = new FormUrlEncodedContent([new("title", viaWeb)]) })
            {
                form.Headers.Add("Origin", gateway.GetLeftPart(UriPartial.Authority));
                form.Headers.Add("Sec-Fetch-Site", "same-origin");
                using var response = http.SendAsync(form).GetAwaiter().GetResult();
                Assert.AreEqual(HttpStatusCode.SeeOther, response.StatusCode, response.Content.ReadAsStringAsync().GetAwaiter().GetResult());
            }
            CollectionAssert.Contains(SavedTitles(data), viaWeb);

            using (var page = http.GetAsync("/").GetAwaiter().GetResult())
            {
                var html = page.Content.ReadAsStringAsync().GetAwaiter().GetResult();
                Assert.AreEqual(HttpStatusCode.OK, page.StatusCode, html);
                StringAssert.Contains(html, viaApi);
                StringAssert.Contains(html, viaWeb);
            }

            // The token went through the bridges only: not in the logs, not in ps.
            var logs = capakit.Run("logs");
            Assert.AreEqual(0, logs.ExitCode, logs.ToString());
            Assert.DoesNotContain(token, logs.All);
            Assert.DoesNotContain(token, capakit.Run("ps", "--format", "json").All);
        }
        finally
        {
            capakit.Down();
            Directory.Delete(data, recursive: true);
        }
        Assert.IsEmpty(HostProcessTable.OfKit(kit));
    }

    private static StringContent Json(object value) => new(JsonSerializer.Serialize(value), Encoding.UTF8, "application/json");

    /// <summary>Titles in &lt;data&gt;/todos.json, as the api workload saved them (it writes before it answers).</summary>
    private static List<string> SavedTitles(string data)
    {
        var file = Path.Combine(data, "todos.json");
        Assert.IsTrue(File.Exists(file), "todos.json was not written to the mounted folder");
        return JsonDocument.Parse(File.ReadAllText(file)).RootElement.GetProperty("todos").EnumerateArray()
            .Select(t => t.GetProperty("title").GetString()!).ToList();
    }
}
