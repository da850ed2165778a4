using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using CapaKit.Tool.Ingress;

namespace CapaKit.Tool.Gateway;

/// <summary>
/// One <see cref="HttpMessageInvoker"/> per target workload, whose connections go to the workload's unix-socket
/// ingress. The ingress is looked up at every connect, so a restarted workload (new socket, new sandbox) is picked up
/// without rebuilding anything; pooled connections to a dead instance fail and are dropped by the handler. Each
/// connect goes through <see cref="WorkloadIngress.ConnectAsync"/>: never through a link, only to the workload's own sandbox.
/// </summary>
internal sealed class WorkloadIngressClients(Func<string, WorkloadIngress?> ingressOf) : IDisposable
{
    private readonly ConcurrentDictionary<string, HttpMessageInvoker> _clients = new(StringComparer.Ordinal);

    /// <summary>The workload's running ingress, or null when it is not running.</summary>
    public WorkloadIngress? IngressOf(string workload) => ingressOf(workload);

    public HttpMessageInvoker For(string workload) => _clients.GetOrAdd(workload, Create);

    public void Dispose()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }
        _clients.Clear();
    }

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
        var ingress = IngressOf(workload) ?? throw new WorkloadUnreachableException(workload, running: false, inner: null);
        try
        {
            var socket = await ingress.ConnectAsync(ct).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch (SocketException e)
        {
            throw new WorkloadUnreachableException(workload, running: true, e);
        }
    }
}

/// <summary>The gateway could not open a connection to a workload's ingress: it is stopped, starting or gone.</summary>
internal sealed class WorkloadUnreachableException(string workload, bool running, Exception? inner)
    : Exception(running ? $"Workload '{workload}' does not accept connections on its ingress." : $"Workload '{workload}' is not running.", inner)
{
    public string Workload { get; } = workload;
}
