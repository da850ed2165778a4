using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace CapaKit.Tool.Tests.Gateway;

/// <summary>A stand-in workload: a Kestrel server on a unix socket the test owns, answering with <c>handler</c>.</summary>
internal sealed class UnixUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;

    private UnixUpstream(WebApplication app, string socketPath)
    {
        _app = app;
        SocketPath = socketPath;
    }

    public string SocketPath { get; }

    public static async Task<UnixUpstream> StartAsync(string socketPath, RequestDelegate handler)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = null;
            k.ListenUnixSocket(socketPath);
        });
        var app = builder.Build();
        app.UseWebSockets();
        app.Run(handler);
        await app.StartAsync();
        return new UnixUpstream(app, socketPath);
    }

    /// <summary>Answers every request with JSON naming the workload and what reached it.</summary>
    public static RequestDelegate Echo(string workload) => async context =>
    {
        var request = context.Request;
        var facts = new Dictionary<string, string?>
        {
            ["workload"] = workload,
            ["method"] = request.Method,
            ["path"] = request.Path.Value,
            ["query"] = request.QueryString.Value,
            ["host"] = request.Headers.Host.ToString(),
            ["xForwardedFor"] = request.Headers["X-Forwarded-For"].ToString(),
            ["xForwardedProto"] = request.Headers["X-Forwarded-Proto"].ToString(),
            ["xForwardedHost"] = request.Headers["X-Forwarded-Host"].ToString(),
            ["xForwardedPrefix"] = request.Headers["X-Forwarded-Prefix"].ToString(),
        };
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(facts));
    };

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
    }
}
