using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CapaKit.Tool.Mesh;

namespace CapaKit.Tool.Tests.Mesh;

/// <summary>
/// Only declared sources get through an inbound proxy, and an outbound proxy talks only to the real target: checked
/// with real certificates from the Kit's generator, forged ones, and a client or server that skips the mesh.
/// </summary>
[TestClass]
public sealed class MeshSecurityTests
{
    [TestMethod]
    public async Task ADeclaredSourceCertificateGetsThroughOverTls13()
    {
        using var kit = MeshTestKit.WebApiOther();
        await using var mesh = await kit.StartMeshAsync();
        await using var ingress = RawIngress.Hello(kit.IngressPath("api"));
        using var web = kit.CertificateWithKey("web");

        var result = await DirectTlsClient.RequestAsync(mesh.InboundSockets["api"], web);

        Assert.IsNull(result.Error, result.Error?.ToString());
        Assert.AreEqual(SslProtocols.Tls13, result.Protocol);
        StringAssert.EndsWith(result.Response, "hello");
        Assert.AreEqual(1, ingress.Accepted);
    }

    [TestMethod]
    [DataRow("no certificate", DisplayName = "no client certificate")]
    [DataRow("another Kit's CA", DisplayName = "certificate from another Kit's CA")]
    [DataRow("undeclared workload", DisplayName = "the Kit's own certificate of a workload that does not connect to api")]
    [DataRow("self-signed", DisplayName = "self-signed certificate with web's SPIFFE ID")]
    public async Task AForgedClientIsRefusedAtTheHandshakeAndNothingReachesTheIngress(string forgery)
    {
        using var kit = MeshTestKit.WebApiOther();
        using var otherKit = MeshTestKit.WebApiOther();
        await using var mesh = await kit.StartMeshAsync();
        await using var ingress = RawIngress.Hello(kit.IngressPath("api"));
        using var certificate = forgery switch
        {
            "no certificate" => null,
            "another Kit's CA" => otherKit.CertificateWithKey("web"),
            "undeclared workload" => kit.CertificateWithKey("other"),
            "self-signed" => SelfSigned(kit.SpiffeId("web")),
            _ => throw new ArgumentOutOfRangeException(nameof(forgery)),
        };

        var result = await DirectTlsClient.RequestAsync(mesh.InboundSockets["api"], certificate);

        // Refused during the handshake or, TLS 1.3 judging the client last, with an alert in place of any answer.
        Assert.AreEqual("", result.Response, "the forger must not get a conversation");
        var refused = await MeshEvents.WaitForAsync(mesh, e => e.Kind == MeshEventKind.InboundRefused, "inbound refused");
        Assert.AreEqual("api", refused.Target);
        Assert.AreEqual(SslProtocols.None, refused.Protocol);
        Assert.IsNull(refused.Source, "a refused certificate proves no workload");
        Assert.AreEqual(forgery switch
        {
            "no certificate" => null,
            "undeclared workload" => kit.SpiffeId("other"),
            _ => kit.SpiffeId("web"),
        }, refused.PeerSpiffeId);
        StringAssert.Contains(refused.Reason, forgery switch
        {
            "no certificate" => "no certificate presented",
            "undeclared workload" => "is not a workload that declares 'api' in its connections",
            _ => "not issued by this Kit's CA",
        });
        Assert.IsFalse(mesh.Events.Any(e => e.Kind == MeshEventKind.InboundAccepted));
        Assert.AreEqual(0, ingress.Accepted);
    }

    [TestMethod]
    public async Task AClientOfferingOnlyTls12IsRefused()
    {
        using var kit = MeshTestKit.WebApiOther();
        await using var mesh = await kit.StartMeshAsync();
        await using var ingress = RawIngress.Hello(kit.IngressPath("api"));
        using var web = kit.CertificateWithKey("web");

        var result = await DirectTlsClient.RequestAsync(mesh.InboundSockets["api"], web, SslProtocols.Tls12);

        Assert.IsFalse(result.HandshakeCompleted);
        await MeshEvents.WaitForAsync(mesh, e => e.Kind == MeshEventKind.InboundRefused, "inbound refused");
        Assert.AreEqual(0, ingress.Accepted);
    }

    [TestMethod]
    [DataRow("another workload", DisplayName = "the Kit's certificate of another workload")]
    [DataRow("another Kit's api", DisplayName = "api's certificate from another Kit's CA")]
    public async Task AnOutboundProxyRefusesAServerThatIsNotTheTarget(string impostor)
    {
        using var kit = MeshTestKit.WebApiOther();
        using var otherKit = MeshTestKit.WebApiOther();
        await using var mesh = await kit.StartMeshAsync();
        await using var ingress = RawIngress.Hello(kit.IngressPath("api"));
        using var certificate = impostor == "another workload" ? kit.CertificateWithKey("other") : otherKit.CertificateWithKey("api");
        // The rogue takes over the path where web's outbound proxy expects api's inbound proxy.
        var inbound = mesh.InboundSockets["api"];
        File.Delete(inbound);
        await using var rogue = new RogueTlsServer(inbound, certificate);
        using var client = UnixHttp.Client(mesh.ConnectionSocket("web", "api"));

        using var response = await client.GetAsync("/hello");

        Assert.AreEqual(HttpStatusCode.BadGateway, response.StatusCode);
        StringAssert.Contains(await response.Content.ReadAsStringAsync(), "could not verify workload 'api'");
        var refused = await MeshEvents.WaitForAsync(mesh, e => e.Kind == MeshEventKind.OutboundRefused, "outbound refused");
        Assert.AreEqual("web", refused.Source);
        Assert.AreEqual("api", refused.Target);
        Assert.AreEqual(impostor == "another workload" ? kit.SpiffeId("other") : kit.SpiffeId("api"), refused.PeerSpiffeId);
        Assert.AreEqual(1, rogue.Connections);
        Assert.AreEqual(0, rogue.ApplicationBytes, "no request byte may reach an unverified server");
        Assert.AreEqual(0, ingress.Accepted);
    }

    [TestMethod]
    public async Task AnUndeclaredPairHasNoConnectionSocket()
    {
        using var kit = MeshTestKit.WebApiOther();
        await using var mesh = await kit.StartMeshAsync();

        Assert.ThrowsExactly<ArgumentException>(() => mesh.ConnectionSocket("api", "web"));
        Assert.ThrowsExactly<ArgumentException>(() => mesh.ConnectionSocket("other", "api"));
        Assert.ThrowsExactly<ArgumentException>(() => mesh.ConnectionSocket("web", "other"));
        Assert.IsFalse(File.Exists(MeshPaths.ConnectionSocket(kit.RuntimeDirectory, "api", "web")));
        Assert.IsFalse(File.Exists(MeshPaths.ConnectionSocket(kit.RuntimeDirectory, "other", "api")));
        Assert.IsFalse(File.Exists(MeshPaths.InboundSocket(kit.RuntimeDirectory, "web")), "nobody connects to web: no inbound proxy");
        Assert.IsTrue(File.Exists(mesh.ConnectionSocket("web", "api")));
        Assert.AreEqual("[]", mesh.ConnectedWorkloadsJson("other"));
    }

    /// <summary>A leaf with the right SPIFFE ID and usages, signed by nobody but itself.</summary>
    private static X509Certificate2 SelfSigned(string spiffeId)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=web", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(X509BasicConstraintsExtension.CreateForEndEntity(critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddUri(new Uri(spiffeId));
        request.CertificateExtensions.Add(san.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }
}
