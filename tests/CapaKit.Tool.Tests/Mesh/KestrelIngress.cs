using System.Net.WebSockets;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebSockets;
using Microsoft.Extensions.DependencyInjection;

namespace CapaKit.Tool.Tests.Mesh;

/// <summary>
/// A real HTTP server (Kestrel) on a workload's ingress socket, with the traffic shapes the mesh must carry:
/// keep-alive, chunked bodies, server-sent events and WebSockets. Counts the connections it accepts.
/// </summary>
internal sealed class KestrelIngress : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _connections;

    private KestrelIngress(string socketPath)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenUnixSocket(socketPath, listen => listen.Use(next => async connection =>
        {
            Interlocked.Increment(ref _connections);
            await next(connection);
        })));
        builder.Services.AddWebSockets(_ => { });
        _app = builder.Build();
        _app.UseWebSockets();
        _app.Run(HandleAsync);
    }

    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Each release lets <c>/sse</c> send its next event.</summary>
    public SemaphoreSlim SseGate { get; } = new(0);

    public static async Task<KestrelIngress> StartAsync(string socketPath)
    {
        var ingress = new KestrelIngress(socketPath);
        await ingress._app.StartAsync();
        return ingress;
    }

    public async ValueTask DisposeAsync()
    {
        using (var grace = new CancellationTokenSource(TimeSpan.FromSeconds(1)))
        {
            try
            {
                await _app.StopAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                // Streams the test left open were cut.
            }
        }
        await _app.DisposeAsync();
        SseGate.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        switch (context.Request.Path.Value)
        {
            case "/hello":
                await context.Response.WriteAsync("hello on " + context.Connection.Id);
                break;
            case "/echo":
                await EchoAsync(context);
                break;
            case "/sha256":
                await context.Response.WriteAsync(Convert.ToHexStringLower(await SHA256.HashDataAsync(context.Request.Body)));
                break;
            case "/bytes":
                var bytes = Bytes(int.Parse(context.Request.Query["n"]!), int.Parse(context.Request.Query["seed"]!));
                await context.Response.Body.WriteAsync(bytes);
                break;
            case "/sse":
                await ServerSentEventsAsync(context);
                break;
            case "/ws":
                await WebSocketEchoAsync(context);
                break;
            default:
                context.Response.StatusCode = 404;
                break;
        }
    }

    /// <summary>The same pseudo-random bytes for the same seed, on both ends of a test.</summary>
    public static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Streams the request body back as it arrives, without a length (so chunked), flushing every piece.</summary>
    private static async Task EchoAsync(HttpContext context)
    {
        context.Response.Headers["x-request-chunked"] = context.Request.Headers.TransferEncoding.ToString().Contains("chunked") ? "yes" : "no";
        context.Response.ContentType = "application/octet-stream";
        var buffer = new byte[4096];
        int read;
        while ((read = await context.Request.Body.ReadAsync(buffer)) > 0)
        {
            await context.Response.Body.WriteAsync(buffer.AsMemory(0, read));
            await context.Response.Body.FlushAsync();
        }
    }

    private async Task ServerSentEventsAsync(HttpContext context)
    {
        context.Response.ContentType = "text/event-stream";
        foreach (var name in new[] { "one", "two", "three" })
        {
            if (name != "one")
            {
                await SseGate.WaitAsync(context.RequestAborted);
            }
            await context.Response.WriteAsync($"data: {name}\n\n", context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
        }
    }

    private static async Task WebSocketEchoAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = 400;
            return;
        }
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var buffer = new byte[4096];
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
    }
}
