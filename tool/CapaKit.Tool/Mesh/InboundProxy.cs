using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using CapaKit.Tool.Ingress;
using Microsoft.Extensions.Logging;

namespace CapaKit.Tool.Mesh;

/// <summary>
/// The inbound proxy of one target workload: a TLS 1.3 server presenting the target's certificate that completes a
/// handshake only with a client certificate from the Kit CA naming a workload that declares the target in its
/// connections. Only then does it connect to the target's ingress and pipe bytes, so a refused peer never reaches it.
/// </summary>
internal sealed class InboundProxy(
    string target,
    SslStreamCertificateContext certificate,
    MeshCredentials credentials,
    IReadOnlyDictionary<string, string> acceptedSources,
    Func<string, WorkloadIngress?> ingressOf,
    MeshLimits limits,
    MeshEventLog events,
    ILogger logger)
{
    private readonly string _expectation = $"a workload that declares '{target}' in its connections";

    public async Task ServeAsync(Socket peer, CancellationToken cancellationToken)
    {
        await using var tls = new SslStream(new NetworkStream(peer, ownsSocket: true));
        var check = new PeerCertificateCheck(acceptedSources, _expectation, ignoreNameMismatch: false);
        var options = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = certificate,
            ClientCertificateRequired = true,
            EnabledSslProtocols = SslProtocols.Tls13,
            CertificateChainPolicy = credentials.ClientCertificatePolicy,
            RemoteCertificateValidationCallback = check.Validate,
            // Every connection proves its client certificate afresh; no session tickets to keep or trust.
            AllowTlsResume = false,
        };
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(limits.HandshakeTimeout);
            await tls.AuthenticateAsServerAsync(options, deadline.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AuthenticationException or IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            var reason = check.Describe(e, cancellationToken);
            events.Add(new MeshEvent(DateTimeOffset.UtcNow, MeshEventKind.InboundRefused, null, target, check.PeerId, SslProtocols.None, reason));
            return;
        }
        events.Add(new MeshEvent(DateTimeOffset.UtcNow, MeshEventKind.InboundAccepted, check.PeerWorkload, target, check.PeerId, tls.SslProtocol, null));

        var ingress = await ConnectIngressAsync(cancellationToken).ConfigureAwait(false);
        if (ingress is null)
        {
            await MeshErrorResponse.SendAsync(tls, () => new ValueTask(tls.ShutdownAsync()),
                $"workload '{target}' is not accepting connections", cancellationToken).ConfigureAwait(false);
            return;
        }
        using (ingress)
        {
            await DuplexPipe.RunAsync(ingress, peer, tls, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<Socket?> ConnectIngressAsync(CancellationToken cancellationToken)
    {
        WorkloadIngress? ingress;
        try
        {
            // Asked per connection: a restarted workload has a new sandbox (and may listen somewhere new).
            ingress = ingressOf(target);
        }
        catch (Exception e)
        {
            // The runtime's own lookup failed: this connection fails, not the mesh.
            MeshLog.IngressUnreachable(logger, target, "(unknown)", e.Message);
            return null;
        }
        if (ingress is null)
        {
            MeshLog.IngressUnreachable(logger, target, "(none)", "the workload is not running");
            return null;
        }
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(limits.ConnectTimeout);
            return await ingress.ConnectAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or IOException or ArgumentException or IngressRefusedException)
        {
            // A refusal was also reported to the runtime (the workload's log) by the ingress itself.
            MeshLog.IngressUnreachable(logger, target, ingress.SocketPath, e.Message);
            return null;
        }
    }
}
