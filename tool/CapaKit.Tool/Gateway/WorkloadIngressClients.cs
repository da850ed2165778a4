using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace CapaKit.Tool.Gateway;

/// <summary>
/// One <see cref="HttpMessageInvoker"/> per target workload, whose connections go to the workload's unix-socket
/// ingress. The socket path is looked up at every connect, so a restarted workload (new socket) is picked up
/// without rebuilding anything; pooled connections to a dead instance fail and are dropped by the handler.
/// </summary>
internal sealed class WorkloadIngressClients(Func<string, string?> ingressOf) : IDisposable
{
    private readonly ConcurrentDictionary<string, HttpMessageInvoker> _clients = new(StringComparer.Ordinal);

    /// <summary>The workload's ingress socket path, or null when it is not running.</summary>
    public string? IngressOf(string workload) => ParseIngress(ingressOf(workload));

    public HttpMessageInvoker For(string workload) => _clients.GetOrAdd(workload, Create);

    public void Dispose()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }
        _clients.Clear();
    }

    /// <summary>Accepts a plain path or the contract's <c>unix:&lt;path&gt;</c> spelling.</summary>
    private static string? ParseIngress(string? bind) =>
        string.IsNullOrEmpty(bind) ? null : bind.StartsWith("unix:", StringComparison.Ordinal) ? bind["unix:".Length..] : bind;

    private HttpMessageInvoker Create(string workload)
    {
        // The settings YARP recommends for a forwarder's client: no proxy, no redirects, no cookies, no
        // decompression, so what the workload sends is what the client gets.
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            EnableMultipleHttp2Connections = true,
            ActivityHeadersPropagator = null,
            ConnectTimeout = TimeSpan.FromSeconds(15),
            ConnectCallback = (_, ct) => ConnectAsync(workload, ct),
        };
        return new HttpMessageInvoker(new FlushingBodyHandler(handler), disposeHandler: true);
    }

    private async ValueTask<Stream> ConnectAsync(string workload, CancellationToken ct)
    {
        var path = IngressOf(workload) ?? throw new WorkloadUnreachableException(workload, running: false, inner: null);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), ct).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new WorkloadUnreachableException(workload, running: true, e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

/// <summary>The gateway could not open a connection to a workload's ingress: it is stopped, starting or gone.</summary>
internal sealed class WorkloadUnreachableException(string workload, bool running, Exception? inner)
    : Exception(running ? $"Workload '{workload}' does not accept connections on its ingress." : $"Workload '{workload}' is not running.", inner)
{
    public string Workload { get; } = workload;
}
