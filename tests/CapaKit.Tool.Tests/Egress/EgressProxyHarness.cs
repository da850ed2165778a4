using CapaKit.Tool.Egress;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CapaKit.Tool.Tests.Egress;

/// <summary>An <see cref="EgressProxy"/> on a unix socket in a fresh short temp folder, removed on dispose.</summary>
internal sealed class EgressProxyHarness : IAsyncDisposable
{
    private readonly string _folder;

    private EgressProxyHarness(string folder, EgressProxy proxy)
    {
        _folder = folder;
        Proxy = proxy;
    }

    public EgressProxy Proxy { get; }

    public string SocketPath => Proxy.UnixSocketPath;

    /// <summary>
    /// A proxy allowing <c>localhost</c> (as a loopback-allowed testing host) on <paramref name="upstreamPort"/>, plus
    /// <paramref name="otherHosts"/>; the port list is 443, 80 and the upstream's port.
    /// </summary>
    public static Task<EgressProxyHarness> StartForLoopbackAsync(int upstreamPort, params string[] otherHosts) =>
        StartAsync(new EgressPolicy(["localhost", .. otherHosts])
        {
            AllowedPorts = new HashSet<int> { 443, 80, upstreamPort },
            LoopbackAllowedHostsForTesting = ["localhost"],
        });

    public static async Task<EgressProxyHarness> StartAsync(EgressPolicy policy, EgressProxyOptions? options = null, ILogger? logger = null)
    {
        // Short path: unix socket paths are limited to about 100 bytes.
        var folder = Path.Combine(Path.GetTempPath(), "ck-egress-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        var proxy = await EgressProxy.StartAsync(policy, Path.Combine(folder, "e.sock"), options ?? EgressProxyOptions.Default, logger ?? NullLogger.Instance, CancellationToken.None);
        return new EgressProxyHarness(folder, proxy);
    }

    public Task<ProxyTestClient> ConnectAsync() => ProxyTestClient.ConnectAsync(SocketPath);

    public async ValueTask DisposeAsync()
    {
        await Proxy.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }
}
