using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CapaKit.Tool.Mesh;

namespace CapaKit.Tool.Tests.Mesh;

/// <summary>A certificate proves a SPIFFE ID only when its subjectAltName holds exactly that one URI.</summary>
[TestClass]
public sealed class SpiffeCertificateTests
{
    [TestMethod]
    public void TheKitsOwnLeafCarriesItsId()
    {
        using var kit = MeshTestKit.WebApiOther();
        using var web = kit.CertificateWithKey("web");

        Assert.AreEqual(kit.SpiffeId("web"), SpiffeCertificate.ReadId(web));
        Assert.IsFalse(SpiffeCertificate.IsCertificateAuthority(web));
    }

    [TestMethod]
    [DataRow(new[] { "uri:spiffe://todo.capakit.local/web", "uri:spiffe://todo.capakit.local/api" }, DisplayName = "two URIs")]
    [DataRow(new[] { "uri:spiffe://todo.capakit.local/web", "dns:web" }, DisplayName = "a URI and a DNS name")]
    [DataRow(new[] { "dns:web" }, DisplayName = "only a DNS name")]
    [DataRow(new string[0], DisplayName = "no subjectAltName")]
    public void AnythingButASingleUriProvesNoId(string[] names)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=web", key, HashAlgorithmName.SHA256);
        if (names.Length > 0)
        {
            var san = new SubjectAlternativeNameBuilder();
            foreach (var name in names)
            {
                if (name.StartsWith("uri:", StringComparison.Ordinal))
                {
                    san.AddUri(new Uri(name[4..]));
                }
                else
                {
                    san.AddDnsName(name[4..]);
                }
            }
            request.CertificateExtensions.Add(san.Build());
        }
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1));

        Assert.IsNull(SpiffeCertificate.ReadId(certificate));
    }
}
