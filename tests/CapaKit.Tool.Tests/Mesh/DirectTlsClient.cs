using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace CapaKit.Tool.Tests.Mesh;

/// <summary>What a client talking straight to an inbound proxy got.</summary>
internal sealed record DirectTlsResult(bool HandshakeCompleted, SslProtocols Protocol, string Response, Exception? Error);

/// <summary>
/// A client that skips the outbound proxy and speaks TLS straight to a target's inbound proxy socket, presenting
/// whatever certificate the test gives it (or none), the way a forger would.
/// </summary>
internal static class DirectTlsClient
{
    public static async Task<DirectTlsResult> RequestAsync(string inboundSocket, X509Certificate2? certificate, SslProtocols protocols = SslProtocols.Tls13)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var socket = await UnixHttp.ConnectAsync(inboundSocket);
        await using var tls = new SslStream(new NetworkStream(socket, ownsSocket: true));
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = "todo.capakit.local",
            EnabledSslProtocols = protocols,
            // The forger does not care who answers.
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
            ClientCertificateContext = certificate is null ? null : SslStreamCertificateContext.Create(certificate, null, offline: true),
        };
        var handshake = false;
        var protocol = SslProtocols.None;
        var response = new MemoryStream();
        try
        {
            await tls.AuthenticateAsClientAsync(options, deadline.Token);
            handshake = true;
            protocol = tls.SslProtocol;
            await tls.WriteAsync("GET /hello HTTP/1.1\r\nHost: api\r\nConnection: close\r\n\r\n"u8.ToArray(), deadline.Token);
            // In TLS 1.3 the server judges the client certificate after the client has finished, so a refused client
            // may only learn it here.
            await tls.CopyToAsync(response, deadline.Token);
            return new DirectTlsResult(handshake, protocol, Encoding.UTF8.GetString(response.ToArray()), null);
        }
        catch (Exception e) when (e is AuthenticationException or IOException or SocketException)
        {
            return new DirectTlsResult(handshake, protocol, Encoding.UTF8.GetString(response.ToArray()), e);
        }
    }
}
