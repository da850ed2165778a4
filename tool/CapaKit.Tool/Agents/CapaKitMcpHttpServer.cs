using System.Net;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using CapaKit.Tool.Gateway;
using CapaKit.Tool.Output;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;

namespace CapaKit.Tool.Agents;

/// <summary>How `mcp --http` was started.</summary>
/// <param name="Port">0: any free port.</param>
/// <param name="AllowPaths">Folders besides the server's own that tool calls may name as kitPath or mount (<c>--allow-path</c>).</param>
/// <param name="NewToken">Replace the folder's token (<c>--new-token</c>).</param>
public sealed record McpHttpServerOptions(int Port, IReadOnlyList<string> AllowPaths, bool NewToken);

/// <summary>
/// <c>dotnet capakit mcp --http</c>: the same tools as the stdio server, over MCP streamable HTTP on 127.0.0.1, for
/// agents that connect to a URL rather than start a process. Unlike stdio, any local process can reach the port: every
/// request needs the server's token (<see cref="McpBearerCheck"/>), and tool calls stay within the folders of its
/// <see cref="KitPathScope"/>. Serves until SIGINT or SIGTERM.
/// </summary>
public static class CapaKitMcpHttpServer
{
    public const string Path = "/mcp";

    /// <summary>How long open calls (an exec, a test run) get to finish once the server is told to stop.</summary>
    private static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(5);

    public static async Task<int> RunAsync(McpHttpServerOptions options, ConsoleOutput output, CancellationToken ct)
    {
        var port = options.Port;
        if (port is < 0 or > IPEndPoint.MaxPort)
        {
            throw new CapaKitException(ExitCodes.Usage, $"Port {port} is not a TCP port; give one between 1 and {IPEndPoint.MaxPort} (or 0 for any free port).");
        }
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });

        var folder = Environment.CurrentDirectory;
        var scope = KitPathScope.Within(folder, options.AllowPaths);
        var token = new McpTokenStore().GetOrCreate(folder, options.NewToken);
        if (token.IsNew)
        {
            // Shown once, when it is made (even if the port then turns out to be taken); after that it lives in its
            // file and in the agents' configurations. stderr: stdout stays free for --format json.
            Console.Error.WriteLine($"New token for this folder (send it as Authorization: Bearer <token>): {token.Value}");
        }

        await using var app = Build(port, token.Value, scope);
        try
        {
            await app.StartAsync(stop.Token);
        }
        catch (Exception e) when (e is AddressInUseException || e.InnerException is AddressInUseException)
        {
            throw new CapaKitException(ExitCodes.Usage, $"Port {port} on 127.0.0.1 is already in use; stop what holds it or pick another with --port.");
        }
        var url = new Uri($"http://127.0.0.1:{BoundPort(app)}{Path}");
        // stderr for people (and for agents that watch it); stdout stays free for --format json.
        Console.Error.WriteLine($"Token file: {token.FilePath} (dotnet capakit agent init --http --port {url.Port} writes it into the agents' configurations)");
        Console.Error.WriteLine($"Kits and mounts: under {string.Join(", ", scope.Roots!)} (widen with --allow-path <dir>)");
        Console.Error.WriteLine($"CapaKit MCP server (streamable HTTP) listening on {url}");
        Console.Error.WriteLine("Press Ctrl-C to stop.");
        if (output.Json)
        {
            var json = new JsonObject { ["url"] = url.ToString(), ["tokenFile"] = token.FilePath };
            if (token.IsNew)
            {
                json["token"] = token.Value;
            }
            output.WriteJson(json);
        }
        Console.Error.Flush();
        Console.Out.Flush();

        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
        }
        using var grace = new CancellationTokenSource(ShutdownGrace);
        try
        {
            await app.StopAsync(grace.Token);
        }
        catch (OperationCanceledException)
        {
            // Grace over: Kestrel has aborted the calls still open, which kills their child commands.
        }
        Console.Error.WriteLine("CapaKit MCP server stopped.");
        return ExitCodes.Ok;
    }

    private static WebApplication Build(int port, string token, KitPathScope scope)
    {
        // The empty builder reads no appsettings, environment variables or command line: nothing in the
        // current folder can widen what the server binds.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "CapaKit.Mcp" });
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, port, listen => listen.Protocols = HttpProtocols.Http1);
        });
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton<IHostLifetime, EmbeddedHostLifetime>();
        builder.Services.AddRouting();
        builder.Services
            .AddMcpServer(options =>
            {
                options.ServerInfo = new Implementation { Name = "capakit", Version = typeof(CapaKitMcpServer).Assembly.GetName().Version?.ToString() ?? "0" };
                options.ServerInstructions = CapaKitMcpServer.Instructions;
            })
            // Stateless: every call stands alone (the tools keep no session state), so a restarted server
            // or a reconnecting agent never meets an unknown session.
            .WithHttpTransport(http => http.Stateless = true)
            .WithTools(CapaKitMcpServer.Tools(scope));

        var app = builder.Build();
        app.Use(Gateway.LoopbackOnly.Filter);
        // Before routing, so every request (any method, any path) is checked before anything else looks at it.
        app.Use(new McpBearerCheck(token).Filter);
        app.MapMcp(Path);
        return app;
    }

    private static int BoundPort(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        return addresses.Select(a => new Uri(a).Port).First();
    }
}
