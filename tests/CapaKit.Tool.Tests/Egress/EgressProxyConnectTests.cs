using System.Net.Sockets;
using CapaKit.Tool.Egress;
using Microsoft.Extensions.Logging.Abstractions;

namespace CapaKit.Tool.Tests.Egress;

[TestClass]
public sealed class EgressProxyConnectTests
{
    private static string ConnectHead(string authority) => $"CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n\r\n";

    /// <summary>The ClientHello a TLS client opens a tunnel to localhost with; the proxy holds the tunnel until it has checked it.</summary>
    private static readonly string Hello = System.Text.Encoding.Latin1.GetString(ClientHelloBytes.For("localhost"));

    [TestMethod]
    public async Task Connect_AllowedLoopbackUpstream_TunnelsBytesBothWays()
    {
        await using var upstream = LoopbackUpstream.EchoAfterClientHello();
        await using var harness = await EgressProxyHarness.StartForLoopbackAsync(upstream.Port);
        await using var client = await harness.ConnectAsync();

        // The first tunnel bytes ride in the same write as the CONNECT head, as TLS clients do.
        await client.SendAsync(ConnectHead($"localhost:{upstream.Port}") + Hello + "early");
        var head = await client.ReadHeadAsync();
        var first = await client.ReadExactlyAsync("echo:early".Length);
        await client.SendAsync("ping");
        var second = await client.ReadExactlyAsync("echo:ping".Length);

        StringAssert.StartsWith(head, "HTTP/1.1 200 ");
        Assert.AreEqual("echo:early", first);
        Assert.AreEqual("echo:ping", second);
        var decision = harness.Proxy.Decisions.Single();
        Assert.AreEqual(EgressVerdict.Allowed, decision.Verdict);
        Assert.AreEqual("CONNECT", decision.Method);
        Assert.AreEqual(1, upstream.AcceptedConnections);
    }

    [TestMethod]
    public async Task Connect_HalfCloseFromClient_StillDeliversTheUpstreamAnswer()
    {
        // The upstream answers only after the client has finished sending.
        await using var upstream = new LoopbackUpstream(async stream =>
        {
            await LoopbackUpstream.SkipClientHelloAsync(stream);
            var received = new MemoryStream();
            await stream.CopyToAsync(received);
            await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"got {received.Length} bytes"));
        });
        await using var harness = await EgressProxyHarness.StartForLoopbackAsync(upstream.Port);
        await using var client = await harness.ConnectAsync();

        await client.SendAsync(ConnectHead($"localhost:{upstream.Port}"));
        await client.ReadHeadAsync();
        await client.SendAsync(Hello + "12345");
        client.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);

        Assert.AreEqual("got 5 bytes", await client.ReadToEndAsync());
    }

    [TestMethod]
    public async Task Connect_UnlistedHost_Gets403AndTheUpstreamSeesNoConnection()
    {
        await using var upstream = LoopbackUpstream.Echo();
        await using var harness = await EgressProxyHarness.StartForLoopbackAsync(upstream.Port, "registry.npmjs.org");
        await using var client = await harness.ConnectAsync();

        // 127.0.0.1 is where the test's listener really is: only the policy stands between the two.
        await client.SendAsync(ConnectHead($"127.0.0.1:{upstream.Port}"));
        var response = await client.ReadToEndAsync();

        StringAssert.StartsWith(response, "HTTP/1.1 403 Forbidden\r\n");
        var body = response[(response.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
        Assert.AreEqual(1, body.TrimEnd('\n').Split('\n').Length, "the body is one line");
        StringAssert.Contains(body, $"127.0.0.1:{upstream.Port}");
        StringAssert.Contains(body, "may only reach the listed registries");
        StringAssert.Contains(body, "registry.npmjs.org");
        StringAssert.Contains(body, "network: full");
        StringAssert.Contains(body, "registries");
        Assert.IsFalse(upstream.SawAnyConnection);
        Assert.AreEqual(EgressVerdict.HostNotListed, harness.Proxy.Decisions.Single().Verdict);
        Assert.AreEqual(1, harness.Proxy.RefusedCount);
    }

    [TestMethod]
    public async Task Connect_ListedNameResolvingToLoopback_WithoutTestingList_IsRefused()
    {
        await using var upstream = LoopbackUpstream.Echo();
        var policy = new EgressPolicy(["localhost"]) { AllowedPorts = new HashSet<int> { 443, 80, upstream.Port } };
        await using var harness = await EgressProxyHarness.StartAsync(policy);
        await using var client = await harness.ConnectAsync();

        await client.SendAsync(ConnectHead($"localhost:{upstream.Port}"));
        var response = await client.ReadToEndAsync();

        StringAssert.StartsWith(response, "HTTP/1.1 403 ");
        StringAssert.Contains(response, "loopback");
        Assert.IsFalse(upstream.SawAnyConnection);
        Assert.AreEqual(EgressVerdict.NonPublicAddress, harness.Proxy.Decisions.Single().Verdict);
    }

    [TestMethod]
    public async Task Connect_ListedHostOnAnUnlistedPort_IsRefused()
    {
        await using var upstream = LoopbackUpstream.Echo();
        var policy = new EgressPolicy(["localhost"]) { LoopbackAllowedHostsForTesting = ["localhost"] };
        await using var harness = await EgressProxyHarness.StartAsync(policy);
        await using var client = await harness.ConnectAsync();

        await client.SendAsync(ConnectHead($"localhost:{upstream.Port}"));
        var response = await client.ReadToEndAsync();

        StringAssert.StartsWith(response, "HTTP/1.1 403 ");
        StringAssert.Contains(response, "80 and 443");
        Assert.IsFalse(upstream.SawAnyConnection);
    }

    [TestMethod]
    public async Task SlowClientWithHalfSentRequest_DoesNotBlockASecondClient()
    {
        await using var upstream = LoopbackUpstream.EchoAfterClientHello();
        await using var harness = await EgressProxyHarness.StartForLoopbackAsync(upstream.Port);
        await using var slow = await harness.ConnectAsync();
        await slow.SendAsync($"CONNECT localhost:{upstream.Port} HTTP/1.1\r\nHost: loc");

        await using var fast = await harness.ConnectAsync();
        await fast.SendAsync(ConnectHead($"localhost:{upstream.Port}"));
        var head = await fast.ReadHeadAsync();
        await fast.SendAsync(Hello + "hi");

        StringAssert.StartsWith(head, "HTTP/1.1 200 ");
        Assert.AreEqual("echo:hi", await fast.ReadExactlyAsync("echo:hi".Length));
        Assert.AreEqual(2, harness.Proxy.ActiveConnections, "the slow client is still being waited for");
    }

    [TestMethod]
    public async Task SlowClient_GetsRequestTimeoutAfterTheHeaderTimeout()
    {
        var policy = new EgressPolicy(["localhost"]);
        await using var harness = await EgressProxyHarness.StartAsync(policy, new EgressProxyOptions { HeaderTimeout = TimeSpan.FromMilliseconds(300) });
        await using var slow = await harness.ConnectAsync();

        await slow.SendAsync("CONNECT localhost:443 HTTP/1.1\r\n");
        var response = await slow.ReadToEndAsync();

        StringAssert.StartsWith(response, "HTTP/1.1 408 ");
    }

    [TestMethod]
    public async Task OversizedHeaders_Get431AndTheConnectionCloses()
    {
        await using var upstream = LoopbackUpstream.Echo();
        await using var harness = await EgressProxyHarness.StartForLoopbackAsync(upstream.Port);
        await using var client = await harness.ConnectAsync();

        var huge = $"GET http://localhost:{upstream.Port}/ HTTP/1.1\r\nX-Big: {new string('a', 70 * 1024)}\r\n\r\n";
        var sending = client.SendAsync(huge);
        var response = await client.ReadToEndAsync();

        StringAssert.StartsWith(response, "HTTP/1.1 431 ");
        StringAssert.Contains(response, "65536 bytes");
        Assert.IsFalse(upstream.SawAnyConnection);
        await Assert.ThrowsAsync<Exception>(async () =>
        {
            await sending;
            // Whatever the send managed, the connection is closed for good: more writes fail.
            await client.SendAsync(new string('b', 512 * 1024));
        });
    }

    [TestMethod]
    [DataRow("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")]
    [DataRow("GET https://localhost/ HTTP/1.1\r\n\r\n")]
    [DataRow("CONNECT localhost HTTP/1.1\r\n\r\n")]
    [DataRow("CONNECT localhost:99999 HTTP/1.1\r\n\r\n")]
    [DataRow("NOT A REQUEST\r\n\r\n")]
    [DataRow("GET http://localhost/ HTTP/1.1\r\n folded: header\r\n\r\n")]
    [DataRow("POST http://localhost/ HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n")]
    [DataRow("POST http://localhost/ HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n")]
    [DataRow("GET http://user@localhost/ HTTP/1.1\r\n\r\n")]
    public async Task MalformedOrNonProxyRequests_Get400(string request)
    {
        var policy = new EgressPolicy(["localhost"]) { LoopbackAllowedHostsForTesting = ["localhost"] };
        await using var harness = await EgressProxyHarness.StartAsync(policy);
        await using var client = await harness.ConnectAsync();

        await client.SendAsync(request);
        var response = await client.ReadToEndAsync();

        StringAssert.StartsWith(response, "HTTP/1.1 400 ");
        Assert.IsEmpty(harness.Proxy.Decisions);
    }

    [TestMethod]
    public async Task ManyConcurrentTunnels_AllWork()
    {
        await using var upstream = LoopbackUpstream.EchoAfterClientHello();
        await using var harness = await EgressProxyHarness.StartForLoopbackAsync(upstream.Port);

        var results = await Task.WhenAll(Enumerable.Range(0, 64).Select(async i =>
        {
            await using var client = await harness.ConnectAsync();
            await client.SendAsync(ConnectHead($"localhost:{upstream.Port}"));
            await client.ReadHeadAsync();
            await client.SendAsync(Hello + $"n{i:00}");
            return await client.ReadExactlyAsync("echo:n00".Length);
        }));

        CollectionAssert.AreEqual(Enumerable.Range(0, 64).Select(i => $"echo:n{i:00}").ToArray(), results);
        Assert.AreEqual(64, harness.Proxy.AllowedCount);
    }

    [TestMethod]
    public async Task Dispose_ClosesOpenTunnelsAndRemovesTheSocket()
    {
        await using var upstream = LoopbackUpstream.Echo();
        var harness = await EgressProxyHarness.StartForLoopbackAsync(upstream.Port);
        await using var client = await harness.ConnectAsync();
        await client.SendAsync(ConnectHead($"localhost:{upstream.Port}"));
        await client.ReadHeadAsync();
        var socketPath = harness.SocketPath;

        await harness.DisposeAsync();

        Assert.AreEqual("", await client.ReadToEndAsync());
        Assert.IsFalse(File.Exists(socketPath));
    }

    [TestMethod]
    public async Task Start_RefusesAPathALiveProxyListensOn()
    {
        var policy = new EgressPolicy(["localhost"]);
        await using var first = await EgressProxyHarness.StartAsync(policy);

        var error = await Assert.ThrowsExactlyAsync<IOException>(() =>
            EgressProxy.StartAsync(policy, first.SocketPath, NullLogger.Instance, CancellationToken.None));

        StringAssert.Contains(error.Message, "already listening");
    }

    [TestMethod]
    public async Task Start_ReplacesAStaleSocketFile()
    {
        var folder = Path.Combine(Path.GetTempPath(), "ck-egress-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        try
        {
            var path = Path.Combine(folder, "e.sock");
            using (var stale = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
            {
                // Bound and closed without unlinking: what a crashed runtime leaves behind.
                stale.Bind(new UnixDomainSocketEndPoint(path));
            }

            await using var proxy = await EgressProxy.StartAsync(new EgressPolicy(["localhost"]), path, NullLogger.Instance, CancellationToken.None);
            await using var client = await ProxyTestClient.ConnectAsync(path);
            await client.SendAsync("CONNECT nowhere.invalid:443 HTTP/1.1\r\n\r\n");

            StringAssert.StartsWith(await client.ReadToEndAsync(), "HTTP/1.1 403 ");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public async Task Start_WithAnOverlongSocketPath_SaysToUseAShorterFolder()
    {
        var path = Path.Combine(Path.GetTempPath(), new string('d', 120), "e.sock");

        var error = await Assert.ThrowsExactlyAsync<ArgumentException>(() =>
            EgressProxy.StartAsync(new EgressPolicy(["localhost"]), path, NullLogger.Instance, CancellationToken.None));

        StringAssert.Contains(error.Message, "shorter runtime folder");
    }
}
