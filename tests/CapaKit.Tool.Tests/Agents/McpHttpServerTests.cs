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

/// <summary>`dotnet capakit mcp --http` as a real process, driven by the C# MCP client over streamable HTTP.</summary>
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
        using var server = McpHttpProcess.Start(kit.Directory);
        var url = await server.UrlAsync(TimeSpan.FromSeconds(60), ct);
        Assert.AreEqual("127.0.0.1", url.Host, "the server listens on loopback only");

        await using (var client = await McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = url,
            Name = "capakit-http-test",
            TransportMode = HttpTransportMode.StreamableHttp,
        }), cancellationToken: ct))
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
        using var first = McpHttpProcess.Start(kit.Directory);
        var url = await first.UrlAsync(TimeSpan.FromSeconds(60), ct);

        var second = ToolProcess.Run(RunAs.Root, kit.Directory, ["mcp", "--http", "--port", url.Port.ToString()]);
        Assert.AreEqual(2, second.ExitCode, second.ToString());
        StringAssert.Contains(second.StandardError, $"Port {url.Port} on 127.0.0.1 is already in use");

        Assert.AreEqual(0, await first.StopAsync(TimeSpan.FromSeconds(30), ct), first.Stderr);
    }

    private static string Text(CallToolResult result) => string.Concat(result.Content.OfType<TextContentBlock>().Select(c => c.Text));

    [GeneratedRegex(@"listening on (http://\S+)")]
    private static partial Regex ListeningLine();

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

        public static McpHttpProcess Start(string workingDirectory)
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
            foreach (var arg in new[] { ToolProcess.ToolDll, "mcp", "--http", "--port", "0" })
            {
                start.ArgumentList.Add(arg);
            }
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
