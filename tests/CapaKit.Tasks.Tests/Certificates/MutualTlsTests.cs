using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using CapaKit.Bundle;

namespace CapaKit.Tasks.Tests.Certificates;

/// <summary>The generated certificates do the job they exist for: TLS 1.3 with mutual auth and SPIFFE ID checks.</summary>
[TestClass]
public sealed class MutualTlsTests
{
    [TestMethod]
    public async Task WorkloadCertificatesCompleteAMutualTls13Handshake()
    {
        using var bundle = new TempBundle();
        bundle.Ensure("todo", DateTimeOffset.UtcNow, "api", "web");
        using var ca = TestCertificates.Load(bundle.CaCertificate);
        using var server = TestCertificates.LoadWithKey(bundle.Certificate("api"), bundle.Key("api"));
        using var client = TestCertificates.LoadWithKey(bundle.Certificate("web"), bundle.Key("web"));

        var result = await Handshake.RunAsync(ca, server, client,
            allowedClientId: BundleFormat.SpiffeId("todo", "web"), expectedServerId: BundleFormat.SpiffeId("todo", "api"));

        Assert.IsNull(result.ServerError, result.ServerError?.ToString());
        Assert.IsNull(result.ClientError, result.ClientError?.ToString());
        Assert.AreEqual(SslProtocols.Tls13, result.Protocol);
        Assert.IsTrue(result.MutuallyAuthenticated);
        Assert.AreEqual(BundleFormat.SpiffeId("todo", "web"), result.ClientIdSeenByServer);
        Assert.AreEqual("pong", result.Reply);
    }

    [TestMethod]
    public async Task ServerRejectsAClientWhoseSpiffeIdIsNotAllowed()
    {
        using var bundle = new TempBundle();
        bundle.Ensure("todo", DateTimeOffset.UtcNow, "api", "web", "worker");
        using var ca = TestCertificates.Load(bundle.CaCertificate);
        using var server = TestCertificates.LoadWithKey(bundle.Certificate("api"), bundle.Key("api"));
        using var client = TestCertificates.LoadWithKey(bundle.Certificate("worker"), bundle.Key("worker"));

        var result = await Handshake.RunAsync(ca, server, client,
            allowedClientId: BundleFormat.SpiffeId("todo", "web"), expectedServerId: BundleFormat.SpiffeId("todo", "api"));

        Assert.IsInstanceOfType<AuthenticationException>(result.ServerError);
        Assert.AreEqual(BundleFormat.SpiffeId("todo", "worker"), result.ClientIdSeenByServer);
    }

    [TestMethod]
    public async Task ServerRejectsAClientFromAnotherCa()
    {
        using var bundle = new TempBundle();
        using var other = new TempBundle();
        bundle.Ensure("todo", DateTimeOffset.UtcNow, "api");
        other.Ensure("todo", DateTimeOffset.UtcNow, "web");
        using var ca = TestCertificates.Load(bundle.CaCertificate);
        using var server = TestCertificates.LoadWithKey(bundle.Certificate("api"), bundle.Key("api"));
        using var client = TestCertificates.LoadWithKey(other.Certificate("web"), other.Key("web"));

        var result = await Handshake.RunAsync(ca, server, client,
            allowedClientId: BundleFormat.SpiffeId("todo", "web"), expectedServerId: BundleFormat.SpiffeId("todo", "api"));

        Assert.IsInstanceOfType<AuthenticationException>(result.ServerError);
    }

    private sealed record HandshakeResult(
        Exception? ServerError, Exception? ClientError, SslProtocols Protocol, bool MutuallyAuthenticated, string? ClientIdSeenByServer, string? Reply);

    private static class Handshake
    {
        private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

        /// <summary>
        /// Connects a client and a server SslStream over loopback TCP. Each side trusts only the Kit CA; the server
        /// accepts only <paramref name="allowedClientId"/>, the client only <paramref name="expectedServerId"/> (SPIFFE
        /// peers are matched by URI SAN, not host name, so the client ignores the name mismatch and nothing else).
        /// </summary>
        public static async Task<HandshakeResult> RunAsync(
            X509Certificate2 ca, X509Certificate2 serverCertificate, X509Certificate2 clientCertificate, string allowedClientId, string expectedServerId)
        {
            using var cancel = new CancellationTokenSource(Timeout);
            string? clientIdSeenByServer = null;
            var serverOptions = new SslServerAuthenticationOptions
            {
                ServerCertificateContext = SslStreamCertificateContext.Create(serverCertificate, [], offline: true),
                ClientCertificateRequired = true,
                EnabledSslProtocols = SslProtocols.Tls13,
                CertificateChainPolicy = TestCertificates.TrustOnly(ca),
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                {
                    clientIdSeenByServer = certificate is X509Certificate2 peer ? TestCertificates.SpiffeId(peer) : null;
                    return errors == SslPolicyErrors.None && clientIdSeenByServer == allowedClientId;
                },
            };
            var clientOptions = new SslClientAuthenticationOptions
            {
                TargetHost = "api",
                ClientCertificateContext = SslStreamCertificateContext.Create(clientCertificate, [], offline: true),
                EnabledSslProtocols = SslProtocols.Tls13,
                CertificateChainPolicy = TestCertificates.TrustOnly(ca),
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                    (errors & ~SslPolicyErrors.RemoteCertificateNameMismatch) == SslPolicyErrors.None
                    && certificate is X509Certificate2 peer
                    && TestCertificates.SpiffeId(peer) == expectedServerId,
            };

            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            try
            {
                var port = ((IPEndPoint)listener.LocalEndpoint).Port;
                using var clientTcp = new TcpClient();
                var connecting = clientTcp.ConnectAsync(IPAddress.Loopback, port, cancel.Token).AsTask();
                using var serverTcp = await listener.AcceptTcpClientAsync(cancel.Token);
                await connecting;
                var serverStream = new SslStream(serverTcp.GetStream());
                await using var clientStream = new SslStream(clientTcp.GetStream());

                var serverSide = ServeAsync(serverStream, serverOptions, cancel.Token);
                Exception? clientError = null;
                string? reply = null;
                try
                {
                    await clientStream.AuthenticateAsClientAsync(clientOptions, cancel.Token);
                    await clientStream.WriteAsync("ping"u8.ToArray(), cancel.Token);
                    reply = await ReadWordAsync(clientStream, cancel.Token);
                }
                catch (Exception e) when (e is AuthenticationException or IOException)
                {
                    // In TLS 1.3 the server judges the client certificate after the client has finished, so a rejected
                    // client may only notice on its first read.
                    clientError = e;
                }
                var (serverError, protocol, mutual) = await serverSide;
                return new HandshakeResult(serverError, clientError, protocol, mutual, clientIdSeenByServer, reply);
            }
            finally
            {
                listener.Stop();
            }
        }

        private static async Task<(Exception? Error, SslProtocols Protocol, bool Mutual)> ServeAsync(
            SslStream stream, SslServerAuthenticationOptions options, CancellationToken cancel)
        {
            await using (stream)
            {
                try
                {
                    await stream.AuthenticateAsServerAsync(options, cancel);
                    if (await ReadWordAsync(stream, cancel) == "ping")
                    {
                        await stream.WriteAsync("pong"u8.ToArray(), cancel);
                    }
                    return (null, stream.SslProtocol, stream.IsMutuallyAuthenticated);
                }
                catch (Exception e) when (e is AuthenticationException or IOException)
                {
                    return (e, SslProtocols.None, false);
                }
            }
        }

        private static async Task<string> ReadWordAsync(Stream stream, CancellationToken cancel)
        {
            var buffer = new byte[4];
            await stream.ReadExactlyAsync(buffer, cancel);
            return System.Text.Encoding.ASCII.GetString(buffer);
        }
    }
}
