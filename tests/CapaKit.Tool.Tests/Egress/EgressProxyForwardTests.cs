using System.Net.Sockets;
using System.Text;
using CapaKit.Tool.Egress;

namespace CapaKit.Tool.Tests.Egress;

[TestClass]
public sealed class EgressProxyForwardTests
{
    /// <summary>Reads one request head (up to the blank line) from the upstream side.</summary>
    private static async Task<string> ReadRequestHeadAsync(NetworkStream stream)
    {
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && await stream.ReadAsync(one) > 0)
        {
            head.Append((char)one[0]);
        }

        return head.ToString();
    }

    /// <summary>An upstream that records the request head it saw, answers with <paramref name="response"/>, then keeps the connection open.</summary>
    private static LoopbackUpstream Answering(string response, TaskCompletionSource<string> seenHead) => new(async stream =>
    {
        seenHead.TrySetResult(await ReadRequestHeadAsync(stream));
        await stream.WriteAsync(Encoding.Latin1.GetBytes(response));

        // Keep-alive on purpose: the proxy must end the exchange by framing, not by waiting for the upstream to close.
        var rest = new byte[1024];
        while (await stream.ReadAsync(rest) > 0)
        {
        }
    });

    [TestMethod]
    public async Task Get_ToAllowedUpstream_IsForwardedInOriginFormAndAnswered()
    {
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = Answering("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: keep-alive\r\nX-Registry: yes\r\n\r\nhello", seen);
        await using var harness = await EgressProxyHarness.StartForLoopbackAsync(upstream.Port);
        await using var client = await harness.ConnectAsync();

        await client.SendAsync(
            $"GET http://localhost:{upstream.Port}/@scope%2fpkg/../x?a=1#frag HTTP/1.1\r\nHost: wrong.example\r\n"
            + "Proxy-Connection: keep-alive\r\nProxy-Authorization: Basic eA==\r\nAccept: application/json\r\n\r\n");
        var response = await client.ReadToEndAsync();
        var upstreamHead = await seen.Task.WaitAsync(TimeSpan.FromSeconds(20));

        StringAssert.StartsWith(upstreamHead, "GET /@scope%2fpkg/../x?a=1 HTTP/1.1\r\n");
        StringAssert.Contains(upstreamHead, $"\r\nHost: localhost:{upstream.Port}\r\n");
        StringAssert.Contains(upstreamHead, "\r\nAccept: application/json\r\n");
        StringAssert.Contains(upstreamHead, "\r\nConnection: close\r\n");
        Assert.DoesNotContain("Proxy-", upstreamHead);
        Assert.DoesNotContain("wrong.example", upstreamHead);
        StringAssert.StartsWith(response, "HTTP/1.1 200 OK\r\n");
        StringAssert.Contains(response, "\r\nX-Registry: yes\r\n");
        StringAssert.Contains(response, "\r\nConnection: close\r\n");
        Assert.DoesNotContain("keep-alive", response);
        StringAssert.EndsWith(response, "\r\n\r\nhello");
        Assert.AreEqual("GET", harness.Proxy.Decisions.Single().Method);
    }

    [TestMethod]
    public async Task Get_ChunkedResponse_IsRelayedChunkByChunk()
    {
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = Answering(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n", seen);
        await using var harness = await EgressProxyHarness.StartForLoopbackAsync(upstream.Port);
        await using var client = await harness.ConnectAsync();

        await client.SendAsync($"GET http://localhost:{upstream.Port}/big HTTP/1.1\r\n\r\n");
        var response = await client.ReadToEndAsync();

        StringAssert.EndsWith(response, "\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n");
    }

    [TestMethod]
    public async Task Post_WithContentLengthAndChunkedBodies_ReachesTheUpstream()
    {
        var bodies = new List<string>();
        await using var upstream = new LoopbackUpstream(async stream =>
        {
            var head = await ReadRequestHeadAsync(stream);
            string body;
            if (head.Contains("Transfer-Encoding: chunked", StringComparison.Ordinal))
            {
                // Read until the terminating chunk, as any HTTP server would.
                var received = new StringBuilder();
                var one = new byte[1];
                while (!received.ToString().EndsWith("0\r\n\r\n", StringComparison.Ordinal) && await stream.ReadAsync(one) > 0)
                {
                    received.Append((char)one[0]);
                }

                body = received.ToString();
            }
            else
            {
                var buffer = new byte[4];
                await stream.ReadExactlyAsync(buffer);
                body = Encoding.ASCII.GetString(buffer);
            }

            lock (bodies)
            {
                bodies.Add(body);
            }

            await stream.WriteAsync("HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok"u8.ToArray());
        });
        await using var harness = await EgressProxyHarness.StartForLoopbackAsync(upstream.Port);

        await using (var client = await harness.ConnectAsync())
        {
            await client.SendAsync($"PUT http://localhost:{upstream.Port}/a HTTP/1.1\r\nContent-Length: 4\r\n\r\nabcd");
            StringAssert.StartsWith(await client.ReadToEndAsync(), "HTTP/1.1 201 Created");
        }

        await using (var client = await harness.ConnectAsync())
        {
            await client.SendAsync($"POST http://localhost:{upstream.Port}/b HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nxyz\r\n0\r\n\r\n");
            StringAssert.EndsWith(await client.ReadToEndAsync(), "\r\n\r\nok");
        }

        CollectionAssert.AreEquivalent(new[] { "abcd", "3\r\nxyz\r\n0\r\n\r\n" }, bodies);
    }

    [TestMethod]
    public async Task Get_LargeResponse_IsStreamedCompletely()
    {
        const int size = 8 * 1024 * 1024;
        await using var upstream = new LoopbackUpstream(async stream =>
        {
            await ReadRequestHeadAsync(stream);
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: {size}\r\n\r\n"));
            var block = new byte[64 * 1024];
            Array.Fill(block, (byte)'z');
            for (var sent = 0; sent < size; sent += block.Length)
            {
                await stream.WriteAsync(block);
            }
        });
        await using var harness = await EgressProxyHarness.StartForLoopbackAsync(upstream.Port);
        await using var client = await harness.ConnectAsync();

        await client.SendAsync($"GET http://localhost:{upstream.Port}/tarball.tgz HTTP/1.1\r\n\r\n");
        var head = await client.ReadHeadAsync();
        var received = 0L;
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await client.Stream.ReadAsync(buffer)) > 0)
        {
            received += read;
        }

        StringAssert.StartsWith(head, "HTTP/1.1 200 OK");
        Assert.AreEqual(size, received);
    }

    [TestMethod]
    public async Task Get_ToRefusedDestinations_Gets403AndNothingIsForwarded()
    {
        await using var upstream = LoopbackUpstream.Echo();
        await using var harness = await EgressProxyHarness.StartForLoopbackAsync(upstream.Port);

        foreach (var url in new[] { $"http://127.0.0.1:{upstream.Port}/", "http://not-listed.invalid/", $"http://[::1]:{upstream.Port}/" })
        {
            await using var client = await harness.ConnectAsync();
            await client.SendAsync($"GET {url} HTTP/1.1\r\n\r\n");
            var response = await client.ReadToEndAsync();

            StringAssert.StartsWith(response, "HTTP/1.1 403 Forbidden", url);
            StringAssert.Contains(response, "network: full");
        }

        Assert.IsFalse(upstream.SawAnyConnection);
        Assert.AreEqual(3, harness.Proxy.RefusedCount);
    }

    [TestMethod]
    public async Task Get_UpstreamNotListening_Gets502()
    {
        // Take a free loopback port and close it again, so nothing listens there.
        int port;
        await using (var probe = LoopbackUpstream.Echo())
        {
            port = probe.Port;
        }

        await using var harness = await EgressProxyHarness.StartForLoopbackAsync(port);
        await using var client = await harness.ConnectAsync();

        await client.SendAsync($"GET http://localhost:{port}/ HTTP/1.1\r\n\r\n");
        var response = await client.ReadToEndAsync();

        StringAssert.StartsWith(response, "HTTP/1.1 502 ");
        StringAssert.Contains(response, "could not connect");
    }
}
