using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Microsoft.Extensions.Logging;

namespace CapaKit.Tool.Mesh;

/// <summary>
/// The outbound proxy of one declared connection source → target: each connection the source's workload opens on
/// its connection socket becomes a TLS 1.3 connection to the target's inbound proxy, presenting the source's
/// certificate and accepting only the target's (Kit CA, SAN = the target's SPIFFE ID).
/// </summary>
internal sealed class OutboundProxy(
    string source,
    string target,
    string targetSpiffeId,
    string inboundSocket,
    string trustDomain,
    SslStreamCertificateContext certificate,
    MeshCredentials credentials,
    MeshLimits limits,
    MeshEventLog events,
    ILogger logger)
{
    private readonly Dictionary<string, string> _acceptedServer = new(StringComparer.Ordinal) { [targetSpiffeId] = target };

    public async Task ServeAsync(Socket workload, CancellationToken cancellationToken)
    {
        await using var workloadStream = new NetworkStream(workload, ownsSocket: true);
        Socket upstream;
        try
        {
            upstream = await MeshSocket.ConnectAsync(inboundSocket, limits.ConnectTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            MeshLog.InboundUnreachable(logger, target, e.Message);
            events.Add(new MeshEvent(DateTimeOffset.UtcNow, MeshEventKind.OutboundRefused, source, target, null, SslProtocols.None,
                "cannot reach the inbound proxy: " + e.Message));
            await RefuseAsync(workload, workloadStream, $"the mesh cannot reach workload '{target}'", cancellationToken).ConfigureAwait(false);
            return;
        }

        await using var tls = new SslStream(new NetworkStream(upstream, ownsSocket: true));
        var check = new PeerCertificateCheck(_acceptedServer, targetSpiffeId, ignoreNameMismatch: true);
        var options = new SslClientAuthenticationOptions
        {
            // SNI only; the server is identified by its URI SAN, checked by PeerCertificateCheck.
            TargetHost = trustDomain,
            ClientCertificateContext = certificate,
            EnabledSslProtocols = SslProtocols.Tls13,
            CertificateChainPolicy = credentials.ServerCertificatePolicy,
            RemoteCertificateValidationCallback = check.Validate,
            AllowTlsResume = false,
        };
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(limits.HandshakeTimeout);
            await tls.AuthenticateAsClientAsync(options, deadline.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AuthenticationException or IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            var reason = check.Describe(e, cancellationToken);
            events.Add(new MeshEvent(DateTimeOffset.UtcNow, MeshEventKind.OutboundRefused, source, target, check.PeerId, SslProtocols.None, reason));
            await RefuseAsync(workload, workloadStream, $"the mesh could not verify workload '{target}' ({reason})", cancellationToken).ConfigureAwait(false);
            return;
        }
        events.Add(new MeshEvent(DateTimeOffset.UtcNow, MeshEventKind.OutboundAccepted, source, target, check.PeerId, tls.SslProtocol, null));

        await DuplexPipe.RunAsync(workload, upstream, tls, cancellationToken).ConfigureAwait(false);
    }

    private static Task RefuseAsync(Socket workload, NetworkStream stream, string message, CancellationToken cancellationToken) =>
        MeshErrorResponse.SendAsync(stream, () =>
        {
            workload.Shutdown(SocketShutdown.Send);
            return ValueTask.CompletedTask;
        }, message, cancellationToken);
}
