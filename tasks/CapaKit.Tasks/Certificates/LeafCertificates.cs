using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CapaKit.Tasks.Certificates;

/// <summary>Workload certificates (SPIFFE X.509-SVIDs) issued by the Kit's CA.</summary>
internal static class LeafCertificates
{
    /// <summary>Issues a leaf for <paramref name="spiffeId"/>; returns the certificate and PKCS#8 private key as PEM.</summary>
    public static (string CertificatePem, string KeyPem) Issue(KitAuthority authority, string workload, string spiffeId, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName(workload);
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(X509BasicConstraintsExtension.CreateForEndEntity(critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid(CertificateProfile.ServerAuthOid), new Oid(CertificateProfile.ClientAuthOid)], critical: false));
        request.CertificateExtensions.Add(UriSubjectAltName(spiffeId));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(
            authority.Certificate, includeKeyIdentifier: true, includeIssuerAndSerial: false));

        // The leaf lives exactly as long as its CA, so both are renewed together.
        var caNotBefore = new DateTimeOffset(authority.Certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero);
        var caNotAfter = new DateTimeOffset(authority.Certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        var notBefore = Max(now - CertificateProfile.ClockSkew, caNotBefore);
        using var certificate = request.Create(
            authority.Certificate.SubjectName,
            X509SignatureGenerator.CreateForECDsa(authority.Key),
            notBefore,
            caNotAfter,
            CertificateProfile.NewSerialNumber());
        return (certificate.ExportCertificatePem() + "\n", key.ExportPkcs8PrivateKeyPem() + "\n");
    }

    /// <summary>True when the leaf on disk can be kept: readable, key matches, signed by this CA, right SAN, not due for renewal.</summary>
    public static bool IsCurrent(string certificatePath, string keyPath, KitAuthority authority, string spiffeId, DateTimeOffset now)
    {
        using var certificate = PemFiles.TryReadCertificate(certificatePath);
        if (certificate is null)
        {
            return false;
        }
        using var key = PemFiles.TryReadKey(keyPath);
        return key is not null
            && CertificateInspection.HasP256Key(certificate)
            && CertificateInspection.KeyMatches(certificate, key)
            && !CertificateInspection.IsCertificateAuthority(certificate)
            && CertificateInspection.IsSignedBy(certificate, authority.Certificate)
            && CertificateInspection.HasOnlyUri(certificate, spiffeId)
            && CertificateProfile.IsFresh(certificate, now);
    }

    // Encoded by hand rather than with SubjectAlternativeNameBuilder.AddUri, which goes through System.Uri
    // and may normalise the text; the SAN must be byte-for-byte the SPIFFE ID peers compare against.
    private static X509Extension UriSubjectAltName(string uri)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteCharacterString(UniversalTagNumber.IA5String, uri, new Asn1Tag(TagClass.ContextSpecific, 6));
        }
        return new X509Extension(CertificateProfile.SubjectAltNameOid, writer.Encode(), critical: false);
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
