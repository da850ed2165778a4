using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using CapaKit.Tool.Tests.Runtime;
using CapaKit.Tool.Tests.Support;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace CapaKit.Tool.Tests.Agents;

/// <summary>`dotnet capakit mcp --http` as a real process, driven by the C# MCP client (and raw requests) over streamable HTTP.</summary>
[TestClass]
public sealed partial class McpHttpServerTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [Timeout(240_000, CooperativeCancellation = true)]
    public async Task ServesTheToolsOnLoopbackRunsExecInTheSandboxAndStopsOnSigterm()
    {
        var ct = TestContext.CancellationToken;
        var kit = RuntimeKits.Sample("hello");
        using var server = McpHttpProcess.Start(kit.Directory, NewStateHome());
        var url = await server.UrlAsync(TimeSpan.FromSeconds(60), ct);
        Assert.AreEqual("127.0.0.1", url.Host, "the server listens on loopback only");

        await using (var client = await ConnectAsync(url, server.Token, ct))
        {
            var tools = (await client.ListToolsAsync(cancellationToken: ct)).Select(t => t.Name).ToList();
            CollectionAssert.IsSubsetOf(new[] { "kits_list", "exec", "up", "down", "ps", "logs", "test" }, tools);

            var list = await client.CallToolAsync("kits_list", new Dictionary<string, object?>(), cancellationToken: ct);
            Assert.IsFalse(list.IsError ?? false, Text(list));
            using (var doc = JsonDocument.Parse(Text(list)))
            {
                Assert.AreEqual("hello", doc.RootElement.GetProperty("kit").GetProperty("name").GetString());
            }

            var exec = await client.CallToolAsync("exec", new Dictionary<string, object?>
            {
                ["workload"] = "hello",
                ["command"] = new[] { "bun", "-e", "console.log('inside ' + process.env.CAPAKIT_WORKLOAD_MID)" },
            }, cancellationToken: ct);
            Assert.IsFalse(exec.IsError ?? false, Text(exec));
            using (var doc = JsonDocument.Parse(Text(exec)))
            {
                Assert.AreEqual(0, doc.RootElement.GetProperty("exitCode").GetInt32(), Text(exec));
                StringAssert.Contains(doc.RootElement.GetProperty("stdoutTail").GetString(), "inside hello");
            }
        }

        // A web page reaching the port by DNS rebinding names another host: refused.
        using (var http = new HttpClient())
        using (var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent("{}", Encoding.UTF8, "application/json") })
        {
            request.Headers.Host = "attacker.example";
            using var response = await http.SendAsync(request, ct);
            Assert.AreEqual(HttpStatusCode.Forbidden, response.StatusCode);
        }

        var exit = await server.StopAsync(TimeSpan.FromSeconds(30), ct);
        Assert.AreEqual(0, exit, server.Stderr);
        StringAssert.Contains(server.Stderr, "stopped");
    }

    [TestMethod]
    public async Task ATakenPortIsOneSentenceAndExitCode2()
    {
        var ct = TestContext.CancellationToken;
        var kit = RuntimeKits.Sample("hello");
        var state = NewStateHome();
        using var first = McpHttpProcess.Start(kit.Directory, state);
        var url = await first.UrlAsync(TimeSpan.FromSeconds(60), ct);

        var second = ToolProcess.Run(RunAs.Root, kit.Directory, ["mcp", "--http", "--port", url.Port.ToString()], new Dictionary<string, string> { ["XDG_STATE_HOME"] = state });
        Assert.AreEqual(2, second.ExitCode, second.ToString());
        StringAssert.Contains(second.StandardError, $"Port {url.Port} on 127.0.0.1 is already in use");

        Assert.AreEqual(0, await first.StopAsync(TimeSpan.FromSeconds(30), ct), first.Stderr);
    }

    [TestMethod]
    [Timeout(240_000, CooperativeCancellation = true)]
    public async Task RequestsWithoutTheTokenOrWithAWrongOneAre401AndRunNoTool()
    {
        var ct = TestContext.CancellationToken;
        var folder = NewFolder("mcp-auth");
        var marker = WriteMarkerProject(Path.Combine(folder, "inside"));
        using var server = McpHttpProcess.Start(folder, NewStateHome());
        var url = await server.UrlAsync(TimeSpan.FromSeconds(60), ct);
        var call = ToolCall("kits_list", new { kitPath = "inside" });

        foreach (var authorization in new string?[] { null, "Bearer wrong-token", "Bearer " + server.Token + "x", "Basic " + server.Token, server.Token })
        {
            using var response = await PostAsync(url, authorization, call, ct);
            Assert.IsFalse(File.Exists(marker), $"a tool ran for a request with Authorization: {authorization}");
            Assert.AreEqual(HttpStatusCode.Unauthorized, response.StatusCode, $"Authorization: {authorization}");
            StringAssert.Contains(await response.Content.ReadAsStringAsync(ct), "CAPA0530");
            Assert.IsTrue(response.Headers.WwwAuthenticate.Any(h => h.Scheme == "Bearer"));
        }
        using (var http = new HttpClient())
        using (var get = await http.GetAsync(url, ct))
        {
            Assert.AreEqual(HttpStatusCode.Unauthorized, get.StatusCode, "the SSE stream needs the token too");
        }
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => ConnectAsync(url, "wrong-token", ct));
        Assert.AreEqual(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.IsFalse(File.Exists(marker), "a tool ran for a request without the token");

        // The same call with the token does build that project: the refusals above were what stopped it.
        using (var allowed = await PostAsync(url, "Bearer " + server.Token, call, ct))
        {
            Assert.AreEqual(HttpStatusCode.OK, allowed.StatusCode, await allowed.Content.ReadAsStringAsync(ct));
        }
        Assert.IsTrue(File.Exists(marker), "the control call did not build the project");
        Assert.AreEqual(0, await server.StopAsync(TimeSpan.FromSeconds(30), ct), server.Stderr);
    }

    [TestMethod]
    [Timeout(240_000, CooperativeCancellation = true)]
    public async Task KitPathsAndMountsOutsideTheStartFolderAreRefusedUnlessAllowed()
    {
        var ct = TestContext.CancellationToken;
        var folder = NewFolder("mcp-scope");
        var outside = NewFolder("mcp-outside");
        var marker = WriteMarkerProject(outside);
        Directory.CreateSymbolicLink(Path.Combine(folder, "link"), outside);
        var state = NewStateHome();

        using (var server = McpHttpProcess.Start(folder, state))
        {
            var url = await server.UrlAsync(TimeSpan.FromSeconds(60), ct);
            await using var client = await ConnectAsync(url, server.Token, ct);
            foreach (var kitPath in new[] { outside, "link", "link/marker.kitproj", "../" + Path.GetFileName(outside) })
            {
                var result = await client.CallToolAsync("kits_list", new Dictionary<string, object?> { ["kitPath"] = kitPath }, cancellationToken: ct);
                Assert.IsFalse(File.Exists(marker), $"kitPath {kitPath}: a Kit outside the server's folder was built");
                Assert.IsTrue(result.IsError ?? false, kitPath);
                StringAssert.Contains(Text(result), $"CAPA0531: kitPath '{kitPath}' is ", kitPath);
                StringAssert.Contains(Text(result), $"--allow-path {outside}", kitPath);
            }
            var up = await client.CallToolAsync("up", new Dictionary<string, object?> { ["kitPath"] = "link" }, cancellationToken: ct);
            StringAssert.Contains(Text(up), "CAPA0531");
            var exec = await client.CallToolAsync("exec", new Dictionary<string, object?>
            {
                ["workload"] = "web",
                ["mounts"] = new Dictionary<string, string> { ["data"] = Path.Combine(folder, "link") },
            }, cancellationToken: ct);
            StringAssert.Contains(Text(exec), "CAPA0531: mount 'data'");
            Assert.IsFalse(File.Exists(marker), "a Kit outside the server's folder was built");
            Assert.AreEqual(0, await server.StopAsync(TimeSpan.FromSeconds(30), ct), server.Stderr);
        }

        using (var widened = McpHttpProcess.Start(folder, state, "--allow-path", outside))
        {
            var url = await widened.UrlAsync(TimeSpan.FromSeconds(60), ct);
            await using var client = await ConnectAsync(url, widened.Token, ct);
            var result = await client.CallToolAsync("kits_list", new Dictionary<string, object?> { ["kitPath"] = "link" }, cancellationToken: ct);
            Assert.DoesNotContain("CAPA0531", Text(result));
            Assert.IsTrue(File.Exists(marker), "--allow-path did not let the server build the Kit there");
            Assert.AreEqual(0, await widened.StopAsync(TimeSpan.FromSeconds(30), ct), widened.Stderr);
        }
    }

    [TestMethod]
    [Timeout(240_000, CooperativeCancellation = true)]
    public async Task TheTokenIsPrivateKeptAcrossRestartsAndReplacedOnlyWhenAsked()
    {
        var ct = TestContext.CancellationToken;
        var folder = NewFolder("mcp-token");
        var state = NewStateHome();

        string first, tokenFile;
        using (var server = McpHttpProcess.Start(folder, state))
        {
            await server.UrlAsync(TimeSpan.FromSeconds(60), ct);
            first = server.Token;
            tokenFile = server.TokenFile;
            StringAssert.Contains(server.Stderr, "New token for this folder (send it as Authorization: Bearer <token>): " + first);
            Assert.AreEqual(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(server.TokenFile), "the token file is not 0600");
            Assert.AreEqual(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(server.TokenFile)!), "the token folder is not 0700");
            StringAssert.StartsWith(server.TokenFile, Path.Combine(state, "capakit", "mcp-http") + "/");
            Assert.AreEqual(43, first.Length, "256 bits, base64url");
            Assert.AreEqual(0, await server.StopAsync(TimeSpan.FromSeconds(30), ct), server.Stderr);
        }

        using (var again = McpHttpProcess.Start(folder, state))
        {
            var url = await again.UrlAsync(TimeSpan.FromSeconds(60), ct);
            Assert.AreEqual(first, again.Token, "a restart in the same folder changed the token");
            Assert.DoesNotContain(first, again.Stderr, "the token is printed only when it is made");
            await using (var client = await ConnectAsync(url, first, ct))
            {
                Assert.IsNotEmpty(await client.ListToolsAsync(cancellationToken: ct));
            }
            Assert.AreEqual(0, await again.StopAsync(TimeSpan.FromSeconds(30), ct), again.Stderr);
        }

        using (var renewed = McpHttpProcess.Start(folder, state, "--new-token"))
        {
            var url = await renewed.UrlAsync(TimeSpan.FromSeconds(60), ct);
            Assert.AreNotEqual(first, renewed.Token);
            StringAssert.Contains(renewed.Stderr, "New token for this folder");
            var refused = await Assert.ThrowsAsync<HttpRequestException>(() => ConnectAsync(url, first, ct));
            Assert.AreEqual(HttpStatusCode.Unauthorized, refused.StatusCode, "the replaced token still works");
            await using (var client = await ConnectAsync(url, renewed.Token, ct))
            {
                Assert.IsNotEmpty(await client.ListToolsAsync(cancellationToken: ct));
            }
            Assert.AreEqual(0, await renewed.StopAsync(TimeSpan.FromSeconds(30), ct), renewed.Stderr);
        }

        // A token file others could read is a leaked token: the next start makes a new one.
        File.SetUnixFileMode(tokenFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        using (var tightened = McpHttpProcess.Start(folder, state))
        {
            await tightened.UrlAsync(TimeSpan.FromSeconds(60), ct);
            StringAssert.Contains(tightened.Stderr, "New token for this folder");
            Assert.AreEqual(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(tightened.TokenFile));
            Assert.AreEqual(0, await tightened.StopAsync(TimeSpan.FromSeconds(30), ct), tightened.Stderr);
        }
    }

    [TestMethod]
    [Timeout(240_000, CooperativeCancellation = true)]
    public async Task AgentInitWritesTheHeaderTheServerAccepts()
    {
        var ct = TestContext.CancellationToken;
        var folder = NewFolder("mcp-init");
        var state = NewStateHome();
        using var server = McpHttpProcess.Start(folder, state);
        var url = await server.UrlAsync(TimeSpan.FromSeconds(60), ct);

        var init = ToolProcess.Run(RunAs.Root, folder, ["agent", "init", "--http", "--port", url.Port.ToString(), "--agent", "claude"],
            new Dictionary<string, string> { ["XDG_STATE_HOME"] = state });
        Assert.AreEqual(0, init.ExitCode, init.ToString());
        var entry = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, ".mcp.json"))).RootElement.GetProperty("mcpServers").GetProperty("capakit");
        Assert.AreEqual(url.ToString(), entry.GetProperty("url").GetString());
        var authorization = entry.GetProperty("headers").GetProperty("Authorization").GetString()!;

        await using var client = await McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(entry.GetProperty("url").GetString()!),
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = authorization },
        }), cancellationToken: ct);
        Assert.IsNotEmpty(await client.ListToolsAsync(cancellationToken: ct));
        Assert.AreEqual(0, await server.StopAsync(TimeSpan.FromSeconds(30), ct), server.Stderr);
    }

    [TestMethod]
    public void HttpOnlyOptionsWithoutHttpAndAMissingAllowPathAreOneSentenceAndExitCode2()
    {
        var folder = NewFolder("mcp-options");
        var environment = new Dictionary<string, string> { ["XDG_STATE_HOME"] = NewStateHome() };
        foreach (var option in new[] { "--new-token", "--allow-path" })
        {
            var args = option == "--allow-path" ? new[] { "mcp", option, folder } : ["mcp", option];
            var result = ToolProcess.Run(RunAs.Root, folder, args, environment);
            Assert.AreEqual(2, result.ExitCode, result.ToString());
            StringAssert.Contains(result.StandardError, $"CAPA0533: {option} only applies to the HTTP server");
        }
        var missing = ToolProcess.Run(RunAs.Root, folder, ["mcp", "--http", "--allow-path", Path.Combine(folder, "nowhere")], environment);
        Assert.AreEqual(2, missing.ExitCode, missing.ToString());
        StringAssert.Contains(missing.StandardError, "CAPA0533: --allow-path");
    }

    private static string NewFolder(string prefix) =>
        Directory.CreateDirectory(Path.Combine(TestMachine.Root, $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}")).FullName;

    /// <summary>An XDG state folder of the test's own, so tokens never land in root's home.</summary>
    private static string NewStateHome() => NewFolder("state");

    /// <summary>A project in <paramref name="directory"/> that writes built.marker there as soon as anything builds or restores it; returns the marker's path.</summary>
    private static string WriteMarkerProject(string directory)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "marker.kitproj"), """
            <Project InitialTargets="WriteMarker">
              <Target Name="WriteMarker"><WriteLinesToFile File="$(MSBuildProjectDirectory)/built.marker" Lines="built" Overwrite="true" /></Target>
              <Target Name="Restore" />
              <Target Name="Build" />
            </Project>
            """);
        return Path.Combine(directory, "built.marker");
    }

    private static string ToolCall(string tool, object arguments) => JsonSerializer.Serialize(new
    {
        jsonrpc = "2.0",
        id = 1,
        method = "tools/call",
        @params = new { name = tool, arguments },
    });

    private static async Task<HttpResponseMessage> PostAsync(Uri url, string? authorization, string json, CancellationToken ct)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }
        var response = await http.SendAsync(request, ct);
        await response.Content.LoadIntoBufferAsync(ct);
        return response;
    }

    private static Task<McpClient> ConnectAsync(Uri url, string token, CancellationToken ct) =>
        McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = url,
            Name = "capakit-http-test",
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer " + token },
        }), cancellationToken: ct);

    private static string Text(CallToolResult result) => string.Concat(result.Content.OfType<TextContentBlock>().Select(c => c.Text));

    [GeneratedRegex(@"listening on (http://\S+)")]
    private static partial Regex ListeningLine();

    [GeneratedRegex(@"^Token file: (\S+)")]
    private static partial Regex TokenFileLine();

    /// <summary>A running `dotnet capakit mcp --http --port 0`; its stderr is collected as it comes.</summary>
    private sealed class McpHttpProcess : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _stderr = new();
        private readonly TaskCompletionSource<Uri> _url = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private McpHttpProcess(Process process)
        {
            _process = process;
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is null)
                {
                    _url.TrySetException(new InvalidOperationException("mcp --http ended before it printed its URL:\n" + Stderr));
                    return;
                }
                lock (_stderr)
                {
                    _stderr.AppendLine(e.Data);
                }
                if (TokenFileLine().Match(e.Data) is { Success: true } tokenFile)
                {
                    TokenFile = tokenFile.Groups[1].Value;
                }
                if (ListeningLine().Match(e.Data) is { Success: true } match)
                {
                    _url.TrySetResult(new Uri(match.Groups[1].Value));
                }
            };
            process.OutputDataReceived += (_, _) => { };
            process.BeginErrorReadLine();
            process.BeginOutputReadLine();
            process.StandardInput.Close();
        }

        public string Stderr
        {
            get
            {
                lock (_stderr)
                {
                    return _stderr.ToString();
                }
            }
        }

        /// <summary>The token file the server named (it prints it before its URL).</summary>
        public string TokenFile { get; private set; } = "";

        /// <summary>The server's token, read from its file (the test runs as root, the file's owner).</summary>
        public string Token => File.ReadAllText(TokenFile).Trim();

        public static McpHttpProcess Start(string workingDirectory, string stateHome, params string[] extraArgs)
        {
            var dotnet = Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "/usr/bin/dotnet";
            var start = new ProcessStartInfo(dotnet)
            {
                WorkingDirectory = workingDirectory,
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
            };
            foreach (var arg in (string[])[ToolProcess.ToolDll, "mcp", "--http", "--port", "0", .. extraArgs])
            {
                start.ArgumentList.Add(arg);
            }
            start.Environment["XDG_STATE_HOME"] = stateHome;
            start.Environment["CAPAKIT_BUN"] = TestMachine.Bun;
            start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            start.Environment["DOTNET_NOLOGO"] = "1";
            start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
            return new McpHttpProcess(Process.Start(start)!);
        }

        public async Task<Uri> UrlAsync(TimeSpan limit, CancellationToken ct) => await _url.Task.WaitAsync(limit, ct);

        /// <summary>SIGTERM, then the exit code once it has stopped (fails after <paramref name="limit"/>).</summary>
        public async Task<int> StopAsync(TimeSpan limit, CancellationToken ct)
        {
            TestMachine.Run("/bin/kill", "-TERM", _process.Id.ToString());
            await _process.WaitForExitAsync(ct).WaitAsync(limit, ct);
            return _process.ExitCode;
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
            _process.Dispose();
        }
    }
}
