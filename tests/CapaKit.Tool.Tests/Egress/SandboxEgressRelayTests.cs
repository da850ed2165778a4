using System.Diagnostics;
using CapaKit.Tool.Egress;

namespace CapaKit.Tool.Tests.Egress;

[TestClass]
public sealed class SandboxEgressRelayTests
{
    private string _folder = "";

    [TestInitialize]
    public void CreateFolder()
    {
        _folder = Path.Combine(Path.GetTempPath(), "ck-relay-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(_folder);
    }

    [TestCleanup]
    public void RemoveFolder() => Directory.Delete(_folder, recursive: true);

    /// <summary>
    /// A child program that finds the relay through HTTPS_PROXY, opens a raw CONNECT tunnel to <c>target</c>, sends a TLS
    /// ClientHello naming localhost (the proxy checks it) and "ping", prints everything it got back, then exits with 7.
    /// </summary>
    private static string RawConnectChild(string target) => $$"""
        const net = require("node:net");
        const proxy = new URL(process.env.HTTPS_PROXY);
        const socket = net.connect(Number(proxy.port), proxy.hostname, () => socket.write("CONNECT {{target}} HTTP/1.1\r\nHost: {{target}}\r\n\r\n"));
        let got = "";
        let sentPing = false;
        const finish = () => { console.log("GOT " + JSON.stringify(got) + " NO_PROXY=" + JSON.stringify(process.env.NO_PROXY)); process.exit(7); };
        socket.on("data", (data) => {
          got += data.toString("latin1");
          if (!sentPing && got.startsWith("HTTP/1.1 200") && got.includes("\r\n\r\n")) { sentPing = true; socket.write(Buffer.from("{{Convert.ToHexString(ClientHelloBytes.For("localhost"))}}", "hex")); socket.write("ping"); }
          if (got.includes("echo:ping")) finish();
        });
        socket.on("end", finish);
        socket.on("error", (error) => { console.log("ERROR " + error.message); process.exit(3); });
        """;

    [TestMethod]
    public void WriteRelayScript_WritesTheScriptAndReturnsItsPath()
    {
        var path = SandboxEgressRelay.WriteRelayScript(Path.Combine(_folder, "nested"));

        Assert.AreEqual(Path.Combine(_folder, "nested", SandboxEgressRelay.ScriptFileName), path);
        Assert.AreEqual(SandboxEgressRelay.RelayScript, File.ReadAllText(path));
        Assert.IsFalse(File.Exists(path + ".tmp"));
    }

    [TestMethod]
    public void ProxyEnvironment_PointsEveryProxyVariableAtTheLoopbackPort()
    {
        var environment = SandboxEgressRelay.ProxyEnvironment(3128);

        foreach (var name in new[] { "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy" })
        {
            Assert.AreEqual("http://127.0.0.1:3128", environment[name]);
        }

        Assert.AreEqual("", environment["NO_PROXY"]);
        Assert.AreEqual("", environment["no_proxy"]);
    }

    [TestMethod]
    public async Task Relay_CarriesARawConnectThroughTheUnixSocketAndPassesTheExitCodeThrough()
    {
        await using var upstream = LoopbackUpstream.EchoAfterClientHello();
        await using var harness = await EgressProxyHarness.StartForLoopbackAsync(upstream.Port);
        var script = SandboxEgressRelay.WriteRelayScript(_folder);

        using var relay = RelayProcess.Start(script, harness.SocketPath, 0, BunForTests.Executable, "-e", RawConnectChild($"localhost:{upstream.Port}"));
        var exitCode = await relay.WaitForExitAsync();

        Assert.AreEqual(7, exitCode, relay.StandardError);
        StringAssert.Contains(relay.StandardOutput, "HTTP/1.1 200 Connection Established");
        StringAssert.Contains(relay.StandardOutput, "echo:ping");
        StringAssert.Contains(relay.StandardOutput, "NO_PROXY=\"\"");
        Assert.AreEqual(EgressVerdict.Allowed, harness.Proxy.Decisions.Single().Verdict);
    }

    [TestMethod]
    public async Task Relay_CarriesTheProxysRefusal()
    {
        await using var upstream = LoopbackUpstream.Echo();
        await using var harness = await EgressProxyHarness.StartForLoopbackAsync(upstream.Port);
        var script = SandboxEgressRelay.WriteRelayScript(_folder);

        using var relay = RelayProcess.Start(script, harness.SocketPath, 0, BunForTests.Executable, "-e", RawConnectChild($"127.0.0.1:{upstream.Port}"));
        var exitCode = await relay.WaitForExitAsync();

        Assert.AreEqual(7, exitCode, relay.StandardError);
        StringAssert.Contains(relay.StandardOutput, "HTTP/1.1 403 Forbidden");
        StringAssert.Contains(relay.StandardOutput, "network: full");
        Assert.IsFalse(upstream.SawAnyConnection);
    }

    [TestMethod]
    public async Task Relay_LetsBunFetchUseTheProxyForPlainHttp()
    {
        await using var upstream = new LoopbackUpstream(async stream =>
        {
            var one = new byte[1];
            var head = "";
            while (!head.EndsWith("\r\n\r\n", StringComparison.Ordinal) && await stream.ReadAsync(one) > 0)
            {
                head += (char)one[0];
            }

            await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 8\r\nContent-Type: text/plain\r\n\r\nfrom-up!"u8.ToArray());
        });
        await using var harness = await EgressProxyHarness.StartForLoopbackAsync(upstream.Port);
        var script = SandboxEgressRelay.WriteRelayScript(_folder);
        var child = $$"""
            const response = await fetch("http://localhost:{{upstream.Port}}/pkg");
            console.log("STATUS " + response.status + " " + await response.text());
            """;

        using var relay = RelayProcess.Start(script, harness.SocketPath, 0, BunForTests.Executable, "-e", child);
        var exitCode = await relay.WaitForExitAsync();

        Assert.AreEqual(0, exitCode, relay.StandardError);
        StringAssert.Contains(relay.StandardOutput, "STATUS 200 from-up!");
        Assert.AreEqual("GET", harness.Proxy.Decisions.Single().Method, "the request went through the proxy");
    }

    [TestMethod]
    [DataRow("localhost", "STATUS 200 over-tls!")]
    [DataRow("registry.npmjs.org", "ERROR")]
    public async Task Relay_BunFetchOverHttps_PassesTheServerNameCheckOnlyForTheConnectHost(string tlsName, string expected)
    {
        // Bun's fetch tunnels https through the proxy with CONNECT localhost:port and a ClientHello of its own; the
        // second case makes Bun name another server in TLS than in the CONNECT, which the proxy must refuse.
        using var key = System.Security.Cryptography.ECDsa.Create();
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=localhost", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        await using var upstream = new LoopbackUpstream(async stream =>
        {
            await using var tls = new System.Net.Security.SslStream(stream);
            await tls.AuthenticateAsServerAsync(new System.Net.Security.SslServerAuthenticationOptions { ServerCertificate = certificate });
            var head = "";
            var one = new byte[1];
            while (!head.EndsWith("\r\n\r\n", StringComparison.Ordinal) && await tls.ReadAsync(one) > 0)
            {
                head += (char)one[0];
            }

            await tls.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 9\r\nConnection: close\r\n\r\nover-tls!"u8.ToArray());
        });
        await using var harness = await EgressProxyHarness.StartForLoopbackAsync(upstream.Port);
        var script = SandboxEgressRelay.WriteRelayScript(_folder);
        var child = $$"""
            try {
              const response = await fetch("https://localhost:{{upstream.Port}}/pkg", { tls: { rejectUnauthorized: false, serverName: "{{tlsName}}" } });
              console.log("STATUS " + response.status + " " + await response.text());
            } catch (error) {
              console.log("ERROR " + error.message);
            }
            """;

        using var relay = RelayProcess.Start(script, harness.SocketPath, 0, BunForTests.Executable, "-e", child);
        var exitCode = await relay.WaitForExitAsync();

        Assert.AreEqual(0, exitCode, relay.StandardError);
        StringAssert.Contains(relay.StandardOutput, expected);
        var last = harness.Proxy.Decisions.Last();
        Assert.AreEqual(tlsName == "localhost" ? EgressVerdict.Allowed : EgressVerdict.ServerNameMismatch, last.Verdict, relay.StandardOutput);
        Assert.AreEqual(tlsName == "localhost" ? "listed" : "the TLS ClientHello names registry.npmjs.org, not localhost", last.Reason);
    }

    [TestMethod]
    [DataRow("exit 7", 7)]
    [DataRow("exit 0", 0)]
    [DataRow("kill -TERM $$", 143)]
    [DataRow("kill -KILL $$", 137)]
    public async Task Relay_ExitsWithTheCommandsExitCodeOr128PlusSignal(string shell, int expected)
    {
        var script = SandboxEgressRelay.WriteRelayScript(_folder);

        using var relay = RelayProcess.Start(script, Path.Combine(_folder, "unused.sock"), 0, "/bin/sh", "-c", shell);

        Assert.AreEqual(expected, await relay.WaitForExitAsync(), relay.StandardError);
    }

    [TestMethod]
    public async Task Relay_WithAMissingCommand_Exits127AndSaysWhy()
    {
        var script = SandboxEgressRelay.WriteRelayScript(_folder);

        using var relay = RelayProcess.Start(script, Path.Combine(_folder, "unused.sock"), 0, "/nonexistent/command");

        Assert.AreEqual(127, await relay.WaitForExitAsync());
        StringAssert.Contains(relay.StandardError, "check that the command exists inside the sandbox");
    }

    [TestMethod]
    public async Task Relay_ForwardsSigtermToTheCommand()
    {
        var script = SandboxEgressRelay.WriteRelayScript(_folder);
        using var relay = RelayProcess.Start(script, Path.Combine(_folder, "unused.sock"), 0,
            "/bin/sh", "-c", "trap 'exit 9' TERM; echo ready; while :; do sleep 0.05; done");
        await relay.FirstOutputLine;

        using (var kill = Process.Start("kill", ["-TERM", relay.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        Assert.AreEqual(9, await relay.WaitForExitAsync(), "the command's TERM trap ran and its exit code came back");
    }
}
