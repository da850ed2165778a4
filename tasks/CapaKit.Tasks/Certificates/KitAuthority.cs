using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CapaKit.Tasks.Certificates;

/// <summary>The Kit's CA: a self-signed ECDSA P-256 certificate and its private key, kept so later builds can mint leaves.</summary>
internal sealed class KitAuthority : IDisposable
{
    private KitAuthority(X509Certificate2 certificate, ECDsa key)
    {
        Certificate = certificate;
        Key = key;
    }

    public X509Certificate2 Certificate { get; }

    public ECDsa Key { get; }

    public string CertificatePem => Certificate.ExportCertificatePem() + "\n";

    public string KeyPem => Key.ExportPkcs8PrivateKeyPem() + "\n";

    public static KitAuthority Create(string kitName, DateTimeOffset now)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        try
        {
            var subject = SubjectFor(kitName);
            var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(X509BasicConstraintsExtension.CreateForCertificateAuthority(pathLengthConstraint: 0));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
            var certificate = request.Create(
                subject,
                X509SignatureGenerator.CreateForECDsa(key),
                now - CertificateProfile.ClockSkew,
                now + CertificateProfile.Lifetime,
                CertificateProfile.NewSerialNumber());
            return new KitAuthority(certificate, key);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>The CA on disk if it can be kept: readable, key matches, a P-256 CA of this Kit, self-signed, not due for renewal.</summary>
    public static KitAuthority? TryLoad(string certificatePath, string keyPath, string kitName, DateTimeOffset now)
    {
        var certificate = PemFiles.TryReadCertificate(certificatePath);
        if (certificate is null)
        {
            return null;
        }
        var key = PemFiles.TryReadKey(keyPath);
        if (key is null
            || !CertificateInspection.HasP256Key(certificate)
            || !CertificateInspection.KeyMatches(certificate, key)
            || !CertificateInspection.IsCertificateAuthority(certificate)
            || !certificate.SubjectName.RawData.AsSpan().SequenceEqual(SubjectFor(kitName).RawData)
            || !CertificateInspection.IsSignedBy(certificate, certificate)
            || !CertificateProfile.IsFresh(certificate, now))
        {
            certificate.Dispose();
            key?.Dispose();
            return null;
        }
        return new KitAuthority(certificate, key);
    }

    public void Dispose()
    {
        Certificate.Dispose();
        Key.Dispose();
    }

    // Built rather than parsed from "CN=..." so a kit name with ',', '+' or quotes cannot change the name's structure.
    private static X500DistinguishedName SubjectFor(string kitName)
    {
        var builder = new X500DistinguishedNameBuilder();
        builder.AddCommonName(CertificateProfile.CaCommonName(kitName));
        return builder.Build();
    }
}
