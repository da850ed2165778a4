using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using CapaKit.Tool.Egress;

namespace CapaKit.Tool.Tests.Egress;

/// <summary>
/// After an allowed CONNECT, the proxy lets the tunnel open only when the client's TLS ClientHello names the CONNECT
/// host (SNI), so an allowed address cannot carry TLS to another site of the same front end.
/// </summary>
[TestClass]
public sealed class EgressProxyServerNameTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    /// <summary>What a refused ClientHello gets back: a fatal access_denied alert record.</summary>
    private static readonly byte[] AccessDenied = [21, 3, 3, 0, 2, 2, 49];

    private static string ConnectHead(string authority) => $"CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n\r\n";

    private static string Text(byte[] bytes) => Encoding.Latin1.GetString(bytes);

    /// <summary>An upstream that keeps every byte of its first connection and reports them when the proxy closes it.</summary>
    private static LoopbackUpstream Recording(TaskCompletionSource<byte[]> received) => new(async stream =>
    {
        var all = new MemoryStream();
        await stream.CopyToAsync(all);
        received.TrySetResult(all.ToArray());
    });

    private static TaskCompletionSource<byte[]> NewReceived() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    [TestMethod]
    public async Task ClientHelloNamingAnotherHost_IsRefusedLoggedAndNothingGoesUpstream()
    {
        var received = NewReceived();
        await using var upstream = Recording(received);
        var log = new RecordingLogger();
        await using var harness = await EgressProxyHarness.StartAsync(LoopbackPolicy(upstream.Port), logger: log);
        await using var client = await harness.ConnectAsync();

        await client.SendAsync(ConnectHead($"localhost:{upstream.Port}") + Text(ClientHelloBytes.For("registry.npmjs.org")));
        var head = await client.ReadHeadAsync();
        var answer = await client.ReadToEndAsync();

        StringAssert.StartsWith(head, "HTTP/1.1 200 ", "the CONNECT itself was allowed");
        Assert.AreEqual(Text(AccessDenied), answer, "a TLS alert, then the proxy closes");
        Assert.IsEmpty(await received.Task.WaitAsync(Patience), "not one byte of the ClientHello reached the upstream");
        var refusal = harness.Proxy.Decisions.Last();
        Assert.AreEqual(EgressVerdict.ServerNameMismatch, refusal.Verdict);
        Assert.AreEqual(("localhost", upstream.Port), (refusal.Host, refusal.Port));
        Assert.AreEqual("the TLS ClientHello names registry.npmjs.org, not localhost", refusal.Reason);
        Assert.AreEqual(1, harness.Proxy.RefusedCount);
        Assert.IsTrue(
            log.Lines.Any(l => l == $"Warning: Egress refused: CONNECT localhost:{upstream.Port} (ServerNameMismatch: the TLS ClientHello names registry.npmjs.org, not localhost)"),
            string.Join("\n", log.Lines));
    }

    public static IEnumerable<object[]> RefusedOpenings() =>
    [
        [ClientHelloBytes.For(null), "the TLS ClientHello names no server (no SNI)", true],
        [ClientHelloBytes.Record(ClientHelloBytes.Handshake([ClientHelloBytes.ServerName("localhost"), ClientHelloBytes.ServerName("registry.npmjs.org")])),
            "the ClientHello has two server_name extensions", false],
        [ClientHelloBytes.Record(ClientHelloBytes.Handshake([ClientHelloBytes.ServerName("localhost", "registry.npmjs.org")])),
            "the server_name extension lists two host names", false],
        [ClientHelloBytes.For("localhost.evil.example"), "the TLS ClientHello names localhost.evil.example, not localhost", true],
        [Encoding.Latin1.GetBytes("GET / HTTP/1.1\r\nHost: registry.npmjs.org\r\n\r\n"), "the tunnel does not start with a TLS handshake", false],
    ];

    public static string OpeningName(System.Reflection.MethodInfo method, object[] data) => $"{method.Name} ({data[1]})";

    [TestMethod]
    [DynamicData(nameof(RefusedOpenings), DynamicDataDisplayName = nameof(OpeningName))]
    public async Task TunnelOpenings_ThatDoNotNameTheConnectHost_AreRefused(byte[] opening, string reason, bool alert)
    {
        var received = NewReceived();
        await using var upstream = Recording(received);
        await using var harness = await EgressProxyHarness.StartAsync(LoopbackPolicy(upstream.Port));
        await using var client = await harness.ConnectAsync();

        await client.SendAsync(ConnectHead($"localhost:{upstream.Port}"));
        await client.ReadHeadAsync();
        await client.SendAsync(Text(opening));

        Assert.AreEqual(alert ? Text(AccessDenied) : "", await client.ReadToEndAsync());
        Assert.IsEmpty(await received.Task.WaitAsync(Patience));
        Assert.AreEqual(reason, harness.Proxy.Decisions.Last().Reason);
    }

    [TestMethod]
    [DataRow("localhost")]
    [DataRow("LocalHost")]
    [DataRow("localhost.")]
    public async Task ClientHelloNamingTheConnectHost_OpensTheTunnelAndForwardsItsBytesUnchanged(string serverName)
    {
        var received = NewReceived();
        await using var upstream = Recording(received);
        await using var harness = await EgressProxyHarness.StartAsync(LoopbackPolicy(upstream.Port));
        await using var client = await harness.ConnectAsync();
        var hello = ClientHelloBytes.For(serverName);

        // Split mid-record and over two writes: the proxy waits for the whole ClientHello.
        await client.SendAsync(ConnectHead($"localhost:{upstream.Port}") + Text(hello[..3]));
        var head = await client.ReadHeadAsync();
        await client.SendAsync(Text(hello[3..]) + "after");
        client.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);

        StringAssert.StartsWith(head, "HTTP/1.1 200 ");
        Assert.AreEqual(Text(hello) + "after", Text(await received.Task.WaitAsync(Patience)));
        Assert.AreEqual(EgressVerdict.Allowed, harness.Proxy.Decisions.Single().Verdict);
    }

    [TestMethod]
    public async Task ClientHelloSplitOverTwoRecords_IsReassembledAndPasses()
    {
        var received = NewReceived();
        await using var upstream = Recording(received);
        await using var harness = await EgressProxyHarness.StartAsync(LoopbackPolicy(upstream.Port));
        await using var client = await harness.ConnectAsync();
        var handshake = ClientHelloBytes.Handshake([ClientHelloBytes.ServerName("localhost")]);
        byte[] opening = [.. ClientHelloBytes.Record(handshake[..40]), .. ClientHelloBytes.Record(handshake[40..])];

        await client.SendAsync(ConnectHead($"localhost:{upstream.Port}") + Text(opening));
        await client.ReadHeadAsync();
        client.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);

        CollectionAssert.AreEqual(opening, await received.Task.WaitAsync(Patience));
    }

    [TestMethod]
    public async Task ClientHelloWithoutServerName_ToAnAddress_Passes()
    {
        // TLS cannot name an address, so a tunnel to one may carry a ClientHello without SNI.
        var received = NewReceived();
        await using var upstream = Recording(received);
        var policy = new EgressPolicy(["127.0.0.1"])
        {
            AllowedPorts = new HashSet<int> { upstream.Port },
            LoopbackAllowedHostsForTesting = ["127.0.0.1"],
        };
        await using var harness = await EgressProxyHarness.StartAsync(policy);
        await using var client = await harness.ConnectAsync();
        var hello = ClientHelloBytes.For(null);

        await client.SendAsync(ConnectHead($"127.0.0.1:{upstream.Port}") + Text(hello));
        await client.ReadHeadAsync();
        client.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);

        CollectionAssert.AreEqual(hello, await received.Task.WaitAsync(Patience));
    }

    [TestMethod]
    public async Task RealTlsClient_NamingTheConnectHost_CompletesItsHandshakeWithTheUpstream()
    {
        using var certificate = SelfSignedCertificate("localhost");
        await using var upstream = new LoopbackUpstream(async stream =>
        {
            await using var tls = new SslStream(stream);
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate });
            await tls.WriteAsync("over tls"u8.ToArray());
            await tls.CopyToAsync(Stream.Null);
        });
        await using var harness = await EgressProxyHarness.StartForLoopbackAsync(upstream.Port);
        await using var client = await harness.ConnectAsync();
        await client.SendAsync(ConnectHead($"localhost:{upstream.Port}"));
        await client.ReadHeadAsync();

        await using var tls = new SslStream(client.Stream, leaveInnerStreamOpen: true);
        await tls.AuthenticateAsClientAsync(TrustingOnly(certificate, "localhost")).WaitAsync(Patience);
        var greeting = new byte["over tls".Length];
        await tls.ReadExactlyAsync(greeting).AsTask().WaitAsync(Patience);

        Assert.AreEqual("over tls", Encoding.ASCII.GetString(greeting));
        Assert.AreEqual(EgressVerdict.Allowed, harness.Proxy.Decisions.Single().Verdict);
    }

    [TestMethod]
    public async Task RealTlsClient_NamingAnotherHost_FailsItsHandshakeAndReachesNothing()
    {
        using var certificate = SelfSignedCertificate("registry.npmjs.org");
        var received = NewReceived();
        await using var upstream = Recording(received);
        await using var harness = await EgressProxyHarness.StartForLoopbackAsync(upstream.Port);
        await using var client = await harness.ConnectAsync();
        await client.SendAsync(ConnectHead($"localhost:{upstream.Port}"));
        await client.ReadHeadAsync();

        await using var tls = new SslStream(client.Stream, leaveInnerStreamOpen: true);
        await Assert.ThrowsAsync<AuthenticationException>(() => tls.AuthenticateAsClientAsync(TrustingOnly(certificate, "registry.npmjs.org")).WaitAsync(Patience));

        Assert.IsEmpty(await received.Task.WaitAsync(Patience));
        Assert.AreEqual(EgressVerdict.ServerNameMismatch, harness.Proxy.Decisions.Last().Verdict);
    }

    /// <summary>Allows localhost (resolving to the test's own loopback listener) on the upstream's port.</summary>
    private static EgressPolicy LoopbackPolicy(int port) => new(["localhost"])
    {
        AllowedPorts = new HashSet<int> { port },
        LoopbackAllowedHostsForTesting = ["localhost"],
    };

    private static X509Certificate2 SelfSignedCertificate(string host)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={host}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(host);
        request.CertificateExtensions.Add(names.Build());
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
    }

    /// <summary>Client options naming <paramref name="targetHost"/> (its SNI) and trusting exactly the test's certificate.</summary>
    private static SslClientAuthenticationOptions TrustingOnly(X509Certificate2 certificate, string targetHost) => new()
    {
        TargetHost = targetHost,
        RemoteCertificateValidationCallback = (_, presented, _, _) => presented is not null && presented.GetCertHashString() == certificate.GetCertHashString(),
    };
}
