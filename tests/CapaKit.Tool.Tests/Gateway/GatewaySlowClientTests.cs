using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Http;
using static CapaKit.Tool.Tests.Gateway.GatewayTestKits;

namespace CapaKit.Tool.Tests.Gateway;

/// <summary>A client that sends or reads slowly holds only its own connection.</summary>
[TestClass]
public sealed class GatewaySlowClientTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    [TestMethod]
    public async Task StalledClients_DoNotBlockAnotherRequest()
    {
        var uploadStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var downloadStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var kit = Kit("/nonexistent/slow", [Workload("svc", ("http", "/"))], Expose("/", "svc", "http"));
        await using var harness = await GatewayHarness.StartAsync(kit, new Dictionary<string, RequestDelegate>
        {
            ["svc"] = async context =>
            {
                switch (context.Request.Path.Value)
                {
                    case "/upload":
                        var buffer = new byte[1024];
                        while (await context.Request.Body.ReadAsync(buffer, context.RequestAborted) > 0)
                        {
                            uploadStarted.TrySetResult();
                        }
                        break;
                    case "/download":
                        // Far more than the socket buffers hold: the gateway ends up waiting on a client that never reads.
                        var data = new byte[1024 * 1024];
                        for (var i = 0; i < 256 && !context.RequestAborted.IsCancellationRequested; i++)
                        {
                            await context.Response.Body.WriteAsync(data, context.RequestAborted);
                            downloadStarted.TrySetResult();
                        }
                        break;
                    default:
                        await context.Response.WriteAsync("fast");
                        break;
                }
            },
        });
        var port = harness.Gateway.Port;

        // 1. Sends half a request head, then nothing.
        using var slowHead = await ConnectAsync(port, "GET /slow HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Half: ");
        // 2. Promises a large body, sends a few bytes, then nothing.
        using var slowBody = await ConnectAsync(port, "POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000000\r\n\r\n0123456789");
        await uploadStarted.Task.WaitAsync(Bound);
        // 3. Asks for a large response and never reads it.
        using var nonReader = await ConnectAsync(port, "GET /download HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        await downloadStarted.Task.WaitAsync(Bound);

        using var fast = new HttpClient { BaseAddress = harness.Gateway.BaseUri };
        var answers = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => fast.GetStringAsync("/fast"))).WaitAsync(Bound);

        Assert.IsTrue(answers.All(a => a == "fast"));
    }

    private static async Task<Socket> ConnectAsync(int port, string partialRequest)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
        {
            ReceiveBufferSize = 4096, // the non-reader's window fills quickly
        };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        await socket.SendAsync(Encoding.ASCII.GetBytes(partialRequest));
        return socket;
    }
}
