using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Text;
using CapaKit.Tool.Mesh;

namespace CapaKit.Tool.Tests.Mesh;

/// <summary>
/// A declared connection web → api carries real HTTP end to end: a real HttpClient on web's connection socket,
/// the mesh's two proxies over mutual TLS, and Kestrel on api's ingress socket.
/// </summary>
[TestClass]
public sealed class MeshHttpTests
{
    [TestMethod]
    public async Task KeepAliveCarriesTwoRequestsOnOneConnectionOverTls13()
    {
        using var kit = MeshTestKit.WebApiOther();
        await using var mesh = await kit.StartMeshAsync();
        await using var ingress = await KestrelIngress.StartAsync(kit.IngressPath("api"));
        var connects = 0;
        using var client = UnixHttp.Client(mesh.ConnectionSocket("web", "api"), () => Interlocked.Increment(ref connects));

        var first = await client.GetStringAsync("/hello");
        var second = await client.GetStringAsync("/hello");

        StringAssert.StartsWith(first, "hello on ");
        Assert.AreEqual(first, second, "both requests must be served on the same ingress connection");
        Assert.AreEqual(1, connects);
        Assert.AreEqual(1, ingress.Connections);
        var inbound = await MeshEvents.WaitForAsync(mesh, e => e.Kind == MeshEventKind.InboundAccepted, "inbound accepted");
        Assert.AreEqual("web", inbound.Source);
        Assert.AreEqual("api", inbound.Target);
        Assert.AreEqual(kit.SpiffeId("web"), inbound.PeerSpiffeId);
        Assert.AreEqual(SslProtocols.Tls13, inbound.Protocol);
        var outbound = await MeshEvents.WaitForAsync(mesh, e => e.Kind == MeshEventKind.OutboundAccepted, "outbound accepted");
        Assert.AreEqual(kit.SpiffeId("api"), outbound.PeerSpiffeId);
        Assert.AreEqual(SslProtocols.Tls13, outbound.Protocol);
    }

    [TestMethod]
    public async Task ChunkedRequestAndResponsePassThrough()
    {
        using var kit = MeshTestKit.WebApiOther();
        await using var mesh = await kit.StartMeshAsync();
        await using var ingress = await KestrelIngress.StartAsync(kit.IngressPath("api"));
        using var client = UnixHttp.Client(mesh.ConnectionSocket("web", "api"));
        var pieces = Enumerable.Range(0, 20).Select(i => $"piece {i} " + new string('x', 3000 * (i % 3)) + "\n").ToArray();

        using var response = await client.PostAsync("/echo", new PiecewiseContent(pieces));
        var body = await response.Content.ReadAsStringAsync();

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.AreEqual("yes", response.Headers.GetValues("x-request-chunked").Single(), "the request went out chunked");
        Assert.IsTrue(response.Headers.TransferEncodingChunked, "the response came back chunked");
        Assert.AreEqual(string.Concat(pieces), body);
    }

    [TestMethod]
    public async Task ServerSentEventsArriveOneByOneBeforeTheStreamEnds()
    {
        using var kit = MeshTestKit.WebApiOther();
        await using var mesh = await kit.StartMeshAsync();
        await using var ingress = await KestrelIngress.StartAsync(kit.IngressPath("api"));
        using var client = UnixHttp.Client(mesh.ConnectionSocket("web", "api"));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        using var response = await client.GetAsync("/sse", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));

        // The server sends the next event only when the test has seen the previous one.
        Assert.AreEqual("data: one", await reader.ReadLineAsync(timeout.Token));
        Assert.AreEqual("", await reader.ReadLineAsync(timeout.Token));
        ingress.SseGate.Release();
        Assert.AreEqual("data: two", await reader.ReadLineAsync(timeout.Token));
        Assert.AreEqual("", await reader.ReadLineAsync(timeout.Token));
        ingress.SseGate.Release();
        Assert.AreEqual("data: three", await reader.ReadLineAsync(timeout.Token));
        Assert.AreEqual("", await reader.ReadLineAsync(timeout.Token));
        Assert.IsNull(await reader.ReadLineAsync(timeout.Token));
    }

    [TestMethod]
    public async Task WebSocketUpgradeEchoes()
    {
        using var kit = MeshTestKit.WebApiOther();
        await using var mesh = await kit.StartMeshAsync();
        await using var ingress = await KestrelIngress.StartAsync(kit.IngressPath("api"));
        using var invoker = new HttpMessageInvoker(UnixHttp.Handler(mesh.ConnectionSocket("web", "api")));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var socket = new ClientWebSocket();

        await socket.ConnectAsync(new Uri("ws://localhost/ws"), invoker, timeout.Token);
        var buffer = new byte[4096];
        foreach (var message in new[] { "first", "second" })
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
            var received = await socket.ReceiveAsync(buffer, timeout.Token);
            Assert.AreEqual(message, Encoding.UTF8.GetString(buffer, 0, received.Count));
        }
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);

        Assert.AreEqual(WebSocketState.Closed, socket.State);
        Assert.AreEqual("bye", socket.CloseStatusDescription);
    }

    [TestMethod]
    public async Task LargeBodiesCrossIntactBothWays()
    {
        using var kit = MeshTestKit.WebApiOther();
        await using var mesh = await kit.StartMeshAsync();
        await using var ingress = await KestrelIngress.StartAsync(kit.IngressPath("api"));
        using var client = UnixHttp.Client(mesh.ConnectionSocket("web", "api"));
        var upload = KestrelIngress.Bytes(8 * 1024 * 1024 + 17, seed: 1);

        using var uploaded = await client.PostAsync("/sha256", new ByteArrayContent(upload));
        var downloaded = await client.GetByteArrayAsync("/bytes?n=9000001&seed=2");

        Assert.AreEqual(Convert.ToHexStringLower(SHA256.HashData(upload)), await uploaded.Content.ReadAsStringAsync());
        Assert.IsTrue(KestrelIngress.Bytes(9000001, seed: 2).AsSpan().SequenceEqual(downloaded), "the downloaded bytes differ");
    }

    [TestMethod]
    public async Task ManyConcurrentConnectionsAreServedIndependently()
    {
        using var kit = MeshTestKit.WebApiOther();
        await using var mesh = await kit.StartMeshAsync();
        await using var ingress = await KestrelIngress.StartAsync(kit.IngressPath("api"));
        var connects = 0;
        using var client = UnixHttp.Client(mesh.ConnectionSocket("web", "api"), () => Interlocked.Increment(ref connects));

        var answers = await Task.WhenAll(Enumerable.Range(0, 40).Select(async i =>
        {
            using var response = await client.PostAsync("/echo", new StringContent($"request {i}"));
            return await response.Content.ReadAsStringAsync();
        }));

        CollectionAssert.AreEqual(Enumerable.Range(0, 40).Select(i => $"request {i}").ToArray(), answers);
        Assert.AreEqual(connects, ingress.Connections, "one ingress connection per workload connection");
        Assert.IsFalse(mesh.Events.Any(e => !e.Accepted), string.Join("; ", mesh.Events.Where(e => !e.Accepted)));
    }

    [TestMethod]
    public async Task SlowAndStuckConnectionsDoNotBlockOthers()
    {
        using var kit = MeshTestKit.WebApiOther();
        await using var mesh = await kit.StartMeshAsync();
        await using var ingress = await KestrelIngress.StartAsync(kit.IngressPath("api"));
        var connectionSocket = mesh.ConnectionSocket("web", "api");
        // A client that stops halfway through its request head, one that never says anything, and a peer that
        // connects to the inbound proxy and never starts its TLS handshake.
        using var halfRequest = await UnixHttp.ConnectAsync(connectionSocket);
        await halfRequest.SendAsync("GET /hello HTTP/1.1\r\nHo"u8.ToArray());
        using var silent = await UnixHttp.ConnectAsync(connectionSocket);
        using var noHandshake = await UnixHttp.ConnectAsync(mesh.InboundSockets["api"]);
        using var client = UnixHttp.Client(connectionSocket);

        var clock = Stopwatch.StartNew();
        var answer = await client.GetStringAsync("/hello");

        StringAssert.StartsWith(answer, "hello on ");
        Assert.IsLessThan(TimeSpan.FromSeconds(5), clock.Elapsed, $"took {clock.Elapsed}");
    }

    [TestMethod]
    public async Task ATargetWhoseIngressIsDownAnswers502()
    {
        using var kit = MeshTestKit.WebApiOther();
        await using var mesh = await kit.StartMeshAsync();
        using var client = UnixHttp.Client(mesh.ConnectionSocket("web", "api"));

        using var response = await client.GetAsync("/hello");

        Assert.AreEqual(HttpStatusCode.BadGateway, response.StatusCode);
        StringAssert.Contains(await response.Content.ReadAsStringAsync(), "workload 'api' is not accepting connections");
    }

    /// <summary>A body of unknown length, written piece by piece with a flush after each, so HttpClient sends it chunked.</summary>
    private sealed class PiecewiseContent(string[] pieces) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            foreach (var piece in pieces)
            {
                await stream.WriteAsync(Encoding.UTF8.GetBytes(piece));
                await stream.FlushAsync();
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
