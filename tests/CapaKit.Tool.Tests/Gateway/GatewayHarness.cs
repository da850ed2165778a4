using System.Collections.Concurrent;
using System.Text.Json;
using CapaKit.Bundle;
using CapaKit.Tool.Gateway;
using CapaKit.Tool.Ingress;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace CapaKit.Tool.Tests.Gateway;

/// <summary>
/// A gateway on a free 127.0.0.1 port in front of stand-in workloads on unix sockets in a temp folder. The
/// ingress map is live: a test can stop or "start" a workload by editing <see cref="Ingress"/>.
/// </summary>
internal sealed class GatewayHarness : IAsyncDisposable
{
    private readonly List<UnixUpstream> _upstreams = [];

    private GatewayHarness(string directory) => Directory = directory;

    public string Directory { get; }
    public ConcurrentDictionary<string, string?> Ingress { get; } = new(StringComparer.Ordinal);
    public KitGateway Gateway { get; private set; } = null!;
    public HttpClient Client { get; private set; } = null!;

    /// <param name="upstreams">Workload → handler; each gets its own socket. Workloads of the kit not listed here are "not running".</param>
    public static async Task<GatewayHarness> StartAsync(KitBundle kit, IReadOnlyDictionary<string, RequestDelegate> upstreams, GatewayOptions? options = null)
    {
        var harness = new GatewayHarness(CreateTempDirectory());
        try
        {
            foreach (var (workload, handler) in upstreams)
            {
                var upstream = await UnixUpstream.StartAsync(Path.Combine(harness.Directory, workload + ".sock"), handler);
                harness._upstreams.Add(upstream);
                harness.Ingress[workload] = upstream.SocketPath;
            }
            options ??= new GatewayOptions(Port: 0) { ShutdownGrace = TimeSpan.FromSeconds(1) };
            // The stand-ins listen in this process, so it is the "sandbox" their listeners must belong to.
            harness.Gateway = await KitGateway.StartAsync(kit, options,
                w => harness.Ingress.GetValueOrDefault(w) is { } path ? new WorkloadIngress(w, path, Environment.ProcessId) : null,
                NullLogger.Instance, CancellationToken.None);
            harness.Client = new HttpClient { BaseAddress = harness.Gateway.BaseUri, Timeout = TimeSpan.FromSeconds(30) };
            return harness;
        }
        catch
        {
            await harness.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the kit's workloads as <see cref="UnixUpstream.Echo"/> servers.</summary>
    public static Task<GatewayHarness> StartEchoingAsync(KitBundle kit) =>
        StartAsync(kit, kit.Workloads.Keys.ToDictionary(w => w, UnixUpstream.Echo));

    /// <summary>GETs <paramref name="path"/> and parses the echo upstream's answer.</summary>
    public async Task<JsonElement> EchoAsync(string path)
    {
        using var response = await Client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.AreEqual(200, (int)response.StatusCode, $"GET {path}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public static string CreateTempDirectory()
    {
        // Short on purpose: a unix socket path must fit in 108 bytes.
        var directory = Path.Combine(Path.GetTempPath(), "capakit-gw-" + Guid.NewGuid().ToString("N")[..10]);
        System.IO.Directory.CreateDirectory(directory);
        return directory;
    }

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        if (Gateway is not null)
        {
            await Gateway.DisposeAsync();
        }
        foreach (var upstream in _upstreams)
        {
            await upstream.DisposeAsync();
        }
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A socket still being torn down; the temp folder is cleaned by the OS eventually.
        }
    }
}

internal static class JsonElementExtensions
{
    public static string? Str(this JsonElement element, string name) => element.GetProperty(name).GetString();
}
