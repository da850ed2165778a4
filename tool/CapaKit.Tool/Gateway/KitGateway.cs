using System.Net;
using CapaKit.Bundle;
using CapaKit.Tool.Ingress;
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
using Yarp.ReverseProxy.Forwarder;

namespace CapaKit.Tool.Gateway;

/// <summary>
/// The Kit's one gateway to the host: a Kestrel listener on 127.0.0.1 that forwards each exposed path to its
/// target workload's unix-socket ingress through YARP (see <see cref="GatewayRouteTable"/> for the routing and
/// prefix rule). Streams pass through as they come: chunked bodies both ways, SSE, WebSocket upgrades, bodies
/// of any size; Kestrel serves each connection asynchronously, so a slow client holds only its own connection.
/// </summary>
public sealed class KitGateway : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly WorkloadIngressClients _clients;
    private readonly McpChangeStreams _mcpChanges;
    private readonly HashSet<string> _mcpWorkloads;
    private readonly TimeSpan _shutdownGrace;
    private int _disposed;

    private KitGateway(WebApplication app, WorkloadIngressClients clients, McpChangeStreams mcpChanges, GatewayRouteTable routes, GatewayProtocolRoutes protocols,
        int port, int preferredPort, TimeSpan shutdownGrace)
    {
        _app = app;
        _clients = clients;
        _mcpChanges = mcpChanges;
        _mcpWorkloads = [.. protocols.Mcp.Select(r => r.Workload)];
        _shutdownGrace = shutdownGrace;
        Port = port;
        PreferredPort = preferredPort;
        BaseUri = new Uri($"http://127.0.0.1:{port}/");
        Urls = [.. routes.Routes.Select(r => (r.ExposePath, new Uri(BaseUri, r.ExposePath)))];
        MergedMcpUrl = protocols.Mcp.Count > 0 ? new Uri(BaseUri, GatewayProtocolRoutes.MergedMcpPath) : null;
        OpenAiBaseUrl = protocols.Oaic.Count > 0 ? new Uri(BaseUri, GatewayProtocolRoutes.OpenAiBasePath) : null;
    }

    /// <summary>The port bound on 127.0.0.1 (only there: never 0.0.0.0 or ::).</summary>
    public int Port { get; }

    /// <summary>The port asked for: the explicit one, or <see cref="DefaultPort"/>; differs from <see cref="Port"/> after a fallback.</summary>
    public int PreferredPort { get; }

    /// <summary>True when the Kit's default port was taken and the gateway moved to the next free one.</summary>
    public bool FellBackFromPreferredPort => Port != PreferredPort && PreferredPort != 0;

    public Uri BaseUri { get; }

    /// <summary>Each exposed path and its URL, in manifest order, then the <c>default_mcp</c> alias <c>/mcp</c>: what <c>up</c> prints.</summary>
    public IReadOnlyList<(string Path, Uri Url)> Urls { get; }

    /// <summary><c>&lt;gateway&gt;/mcp/all</c> when the Kit exposes an mcp endpoint, else null.</summary>
    public Uri? MergedMcpUrl { get; }

    /// <summary><c>&lt;gateway&gt;/v1</c> (an OpenAI client's base URL) when the Kit exposes an oaic endpoint, else null.</summary>
    public Uri? OpenAiBaseUrl { get; }

    /// <summary>Open <c>/mcp/all</c> streams right now (for tests and diagnostics).</summary>
    internal int McpChangeStreamCount => _mcpChanges.Count;

    /// <summary>
    /// The runtime calls this when a workload becomes ready or stops running. When the workload serves an exposed
    /// MCP endpoint, clients of <c>/mcp/all</c> get <c>notifications/tools/list_changed</c>; other workloads are ignored.
    /// </summary>
    public void WorkloadAvailabilityChanged(string workload)
    {
        if (_mcpWorkloads.Contains(workload) && Volatile.Read(ref _disposed) == 0)
        {
            _mcpChanges.NotifyToolsChanged();
        }
    }

    /// <summary>The Kit's stable default port (20000–29999), derived from its folder.</summary>
    public static int DefaultPort(string kitDirectory) => GatewayPort.Default(kitDirectory);

    /// <param name="ingressOf">Workload name → its running ingress, null when it is not running. Asked at every connect.</param>
    /// <param name="ct">Aborts the start only; the gateway runs until disposed.</param>
    /// <exception cref="CapaKitException">The explicit port is taken, or no port near the default one is free.</exception>
    public static async Task<KitGateway> StartAsync(
        KitBundle kit, GatewayOptions options, Func<string, WorkloadIngress?> ingressOf, ILogger logger, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(kit);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(ingressOf);
        ArgumentNullException.ThrowIfNull(logger);
        if (options.Port is < 0 or > IPEndPoint.MaxPort)
        {
            throw new CapaKitException(ExitCodes.Usage, $"Port {options.Port} is not a TCP port; give one between 1 and {IPEndPoint.MaxPort}.");
        }

        var routes = GatewayRouteTable.Build(kit);
        var clients = new WorkloadIngressClients(ingressOf);
        try
        {
            var preferred = options.Port ?? DefaultPort(kit.Kit.Directory);
            var candidates = options.Port is null ? GatewayPort.Candidates(preferred) : [preferred];
            foreach (var candidate in candidates)
            {
                var protocols = GatewayProtocolRoutes.Build(kit, routes);
                var mcpChanges = new McpChangeStreams();
                var app = Build(candidate, routes, protocols, clients, mcpChanges, options, logger);
                try
                {
                    await app.StartAsync(ct).ConfigureAwait(false);
                }
                catch (Exception e) when (e is AddressInUseException || e.InnerException is AddressInUseException)
                {
                    await app.DisposeAsync().ConfigureAwait(false);
                    mcpChanges.Dispose();
                    if (options.Port is not null)
                    {
                        throw new CapaKitException(ExitCodes.Usage,
                            $"Port {candidate} on 127.0.0.1 is already in use; stop what holds it or pick another with --port.");
                    }
                    continue;
                }
                catch
                {
                    await app.DisposeAsync().ConfigureAwait(false);
                    mcpChanges.Dispose();
                    throw;
                }

                var gateway = new KitGateway(app, clients, mcpChanges, routes, protocols, BoundPort(app), preferred, options.ShutdownGrace);
                if (gateway.FellBackFromPreferredPort)
                {
                    GatewayLog.PortFallback(logger, preferred, gateway.Port);
                }
                GatewayLog.Listening(logger, gateway.BaseUri);
                return gateway;
            }
            throw new CapaKitException(ExitCodes.Usage,
                $"Ports {preferred} to {preferred + GatewayPort.FallbackAttempts - 1} on 127.0.0.1 are all in use; pick a free one with --port.");
        }
        catch
        {
            clients.Dispose();
            throw;
        }
    }

    /// <summary>Stops listening, lets open requests finish for the grace period, then cuts the rest.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        _mcpChanges.Stop(); // open notification streams never end by themselves
        using (var grace = new CancellationTokenSource(_shutdownGrace))
        {
            try
            {
                await _app.StopAsync(grace.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Grace over: Kestrel has aborted the remaining connections.
            }
        }
        await _app.DisposeAsync().ConfigureAwait(false);
        _clients.Dispose();
        _mcpChanges.Dispose();
    }

    private static WebApplication Build(int port, GatewayRouteTable routes, GatewayProtocolRoutes protocols, WorkloadIngressClients clients, McpChangeStreams mcpChanges,
        GatewayOptions options, ILogger logger)
    {
        // The empty builder reads no appsettings, environment variables or command line: nothing from the
        // user's folder can widen what the gateway binds.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "CapaKit.Gateway" });
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // Uploads stream straight through to the workload, so there is no buffer to protect with a size cap.
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Listen(IPAddress.Loopback, port, listen => listen.Protocols = HttpProtocols.Http1);
        });
        builder.Services.AddSingleton<IHostLifetime, EmbeddedHostLifetime>();
        builder.Services.AddHttpForwarder();

        var app = builder.Build();
        app.Use(LoopbackOnly.Filter);
        var handler = new GatewayRequestHandler(routes, new GatewayProtocolEndpoints(protocols, clients, mcpChanges, logger), clients, app.Services.GetRequiredService<IHttpForwarder>(), options, logger);
        app.Run(handler.HandleAsync);
        return app;
    }

    /// <summary>The port Kestrel actually bound (differs from the asked one only for port 0).</summary>
    private static int BoundPort(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        return addresses.Select(a => new Uri(a).Port).First();
    }
}
