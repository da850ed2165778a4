using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using CapaKit.Bundle;
using Microsoft.AspNetCore.Http;
using static CapaKit.Tool.Tests.Gateway.GatewayTestKits;

namespace CapaKit.Tool.Tests.Gateway;

/// <summary>Streams pass through the gateway as they come: SSE, WebSockets, chunked uploads of any size.</summary>
[TestClass]
public sealed class GatewayStreamingTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    private static KitBundle StreamKit() => Kit("/nonexistent/stream", [Workload("svc", ("http", "/"))], Expose("/svc", "svc", "http"));

    [TestMethod]
    public async Task Sse_FirstEventArrivesBeforeTheStreamEnds()
    {
        var released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var harness = await GatewayHarness.StartAsync(StreamKit(), new Dictionary<string, RequestDelegate>
        {
            ["svc"] = async context =>
            {
                context.Response.ContentType = "text/event-stream";
                await context.Response.WriteAsync("data: first\n\n");
                await context.Response.Body.FlushAsync();
                // The stream stays open until the test has seen the first event through the gateway.
                await released.Task.WaitAsync(TimeSpan.FromSeconds(60), context.RequestAborted);
                await context.Response.WriteAsync("data: second\n\n");
            },
        });

        using var response = await harness.Client.GetAsync("/svc/events", HttpCompletionOption.ResponseHeadersRead);
        Assert.AreEqual("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

        Assert.AreEqual("data: first", await reader.ReadLineAsync().WaitAsync(Bound));
        Assert.AreEqual("", await reader.ReadLineAsync().WaitAsync(Bound));
        released.SetResult();
        Assert.AreEqual("data: second\n\n", await reader.ReadToEndAsync().WaitAsync(Bound));
    }

    [TestMethod]
    public async Task WebSocket_EchoesThroughTheGateway()
    {
        await using var harness = await GatewayHarness.StartAsync(StreamKit(), new Dictionary<string, RequestDelegate>
        {
            ["svc"] = async context =>
            {
                if (context.Request.Path != "/echo" || !context.WebSockets.IsWebSocketRequest)
                {
                    context.Response.StatusCode = 400;
                    return;
                }
                using var socket = await context.WebSockets.AcceptWebSocketAsync();
                var buffer = new byte[256 * 1024];
                while (true)
                {
                    var received = await socket.ReceiveAsync(buffer, context.RequestAborted);
                    if (received.MessageType == WebSocketMessageType.Close)
                    {
                        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", context.RequestAborted);
                        return;
                    }
                    await socket.SendAsync(buffer.AsMemory(0, received.Count), received.MessageType, received.EndOfMessage, context.RequestAborted);
                }
            },
        });

        using var client = new ClientWebSocket();
        using var timeout = new CancellationTokenSource(Bound);
        await client.ConnectAsync(new Uri($"ws://127.0.0.1:{harness.Gateway.Port}/svc/echo"), timeout.Token);

        foreach (var message in new[] { "hello", "through the gateway" })
        {
            await client.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
            Assert.AreEqual(message, await ReceiveTextAsync(client, timeout.Token));
        }
        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
        Assert.AreEqual(WebSocketState.Closed, client.State);
    }

    [TestMethod]
    public async Task ChunkedUpload_IsStreamedToTheWorkload_NotBufferedFirst()
    {
        const int chunk = 64 * 1024;
        const int chunks = 640; // 40 MiB: above Kestrel's default 30 MB request cap, which the gateway lifts
        var firstBytesArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var harness = await GatewayHarness.StartAsync(StreamKit(), new Dictionary<string, RequestDelegate>
        {
            ["svc"] = async context =>
            {
                var chunked = context.Request.Headers.TransferEncoding.ToString();
                using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                var buffer = new byte[chunk];
                long total = 0;
                int read;
                while ((read = await context.Request.Body.ReadAsync(buffer, context.RequestAborted)) > 0)
                {
                    sha.AppendData(buffer, 0, read);
                    total += read;
                    firstBytesArrived.TrySetResult();
                }
                await context.Response.WriteAsync($"{chunked} {total} {Convert.ToHexString(sha.GetHashAndReset())}");
            },
        });

        var sent = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var content = new PushContent(async stream =>
        {
            var data = new byte[chunk];
            for (var i = 0; i < chunks; i++)
            {
                Array.Fill(data, (byte)i);
                sent.AppendData(data);
                await stream.WriteAsync(data);
                if (i == 0)
                {
                    // Hold the rest back until the workload has the first chunk: a gateway that buffers the body
                    // would wait for the end, and this would time out.
                    await stream.FlushAsync();
                    await firstBytesArrived.Task.WaitAsync(Bound);
                }
            }
        });
        using var response = await harness.Client.PostAsync("/svc/upload", content);
        var body = await response.Content.ReadAsStringAsync();

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, body);
        Assert.AreEqual($"chunked {(long)chunk * chunks} {Convert.ToHexString(sent.GetHashAndReset())}", body);
    }

    [TestMethod]
    public async Task SmallUploadPieces_ReachTheWorkloadAsTheyAreSent()
    {
        // A client that streams a few bytes at a time (NDJSON, a chatty protocol) must not have them parked in a
        // buffer until it fills: each piece waits here for the workload to have read the one before.
        var received = new StringBuilder();
        var progress = new SemaphoreSlim(0);
        await using var harness = await GatewayHarness.StartAsync(StreamKit(), new Dictionary<string, RequestDelegate>
        {
            ["svc"] = async context =>
            {
                var buffer = new byte[1024];
                int read;
                while ((read = await context.Request.Body.ReadAsync(buffer, context.RequestAborted)) > 0)
                {
                    lock (received)
                    {
                        received.Append(Encoding.UTF8.GetString(buffer, 0, read));
                    }
                    progress.Release();
                }
                await context.Response.WriteAsync("done");
            },
        });

        var pieces = new[] { "{\"n\":1}\n", "{\"n\":2}\n", "{\"n\":3}\n" };
        var content = new PushContent(async stream =>
        {
            var sent = "";
            foreach (var piece in pieces)
            {
                await stream.WriteAsync(Encoding.UTF8.GetBytes(piece));
                await stream.FlushAsync();
                sent += piece;
                while (true)
                {
                    lock (received)
                    {
                        if (received.ToString() == sent)
                        {
                            break;
                        }
                    }
                    Assert.IsTrue(await progress.WaitAsync(Bound), $"the workload has not seen {piece.Trim()} yet");
                }
            }
        });
        using var response = await harness.Client.PostAsync("/svc/ndjson", content);

        Assert.AreEqual("done", await response.Content.ReadAsStringAsync());
        Assert.AreEqual(string.Concat(pieces), received.ToString());
    }

    [TestMethod]
    public async Task LargeChunkedDownload_ArrivesWhole()
    {
        const int chunk = 64 * 1024;
        const int chunks = 640;
        await using var harness = await GatewayHarness.StartAsync(StreamKit(), new Dictionary<string, RequestDelegate>
        {
            ["svc"] = async context =>
            {
                var data = new byte[chunk];
                for (var i = 0; i < chunks; i++)
                {
                    Array.Fill(data, (byte)i);
                    await context.Response.Body.WriteAsync(data, context.RequestAborted);
                }
            },
        });

        using var response = await harness.Client.GetAsync("/svc/big", HttpCompletionOption.ResponseHeadersRead);
        await using var stream = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[chunk];
        long total = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            for (var i = 0; i < read; i++)
            {
                if (buffer[i] != (byte)((total + i) / chunk))
                {
                    Assert.Fail($"byte {total + i} is wrong");
                }
            }
            total += read;
        }

        Assert.IsTrue(response.Headers.TransferEncodingChunked);
        Assert.AreEqual((long)chunk * chunks, total);
    }

    private static async Task<string> ReceiveTextAsync(ClientWebSocket socket, CancellationToken ct)
    {
        var buffer = new byte[4096];
        var text = new StringBuilder();
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer, ct);
            text.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
        }
        while (!result.EndOfMessage);
        return text.ToString();
    }

    /// <summary>A request body of unknown length (so it goes chunked) written by a callback.</summary>
    private sealed class PushContent(Func<Stream, Task> write) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => write(stream);

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }
    }
}
