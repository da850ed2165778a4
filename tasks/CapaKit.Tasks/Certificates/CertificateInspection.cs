using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CapaKit.Tasks.Certificates;

/// <summary>Checks on existing certificates, used to decide whether a file on disk can be kept.</summary>
internal static class CertificateInspection
{
    public static bool HasP256Key(X509Certificate2 certificate) =>
        certificate.PublicKey.Oid.Value == CertificateProfile.EcPublicKeyOid
        && certificate.PublicKey.EncodedParameters?.RawData is { } parameters
        && parameters.AsSpan().SequenceEqual(CertificateProfile.P256ParametersDer);

    public static bool KeyMatches(X509Certificate2 certificate, ECDsa key) =>
        certificate.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo());

    public static bool IsCertificateAuthority(X509Certificate2 certificate) =>
        certificate.Extensions.OfType<X509BasicConstraintsExtension>().SingleOrDefault() is { CertificateAuthority: true };

    /// <summary>
    /// Verifies the certificate's signature with the issuer's public key directly, rather than with X509Chain,
    /// so the answer depends on nothing but the two certificates (no system store, no clock, no policy).
    /// </summary>
    public static bool IsSignedBy(X509Certificate2 certificate, X509Certificate2 issuer)
    {
        if (!certificate.IssuerName.RawData.AsSpan().SequenceEqual(issuer.SubjectName.RawData))
        {
            return false;
        }
        using var issuerKey = issuer.GetECDsaPublicKey();
        if (issuerKey is null)
        {
            return false;
        }
        try
        {
            // Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING }
            var outer = new AsnReader(certificate.RawData, AsnEncodingRules.DER);
            var body = outer.ReadSequence();
            outer.ThrowIfNotEmpty();
            var signed = body.ReadEncodedValue();
            var algorithm = body.ReadSequence();
            var algorithmOid = algorithm.ReadObjectIdentifier();
            var signature = body.ReadBitString(out var unusedBits);
            body.ThrowIfNotEmpty();
            return algorithmOid == CertificateProfile.EcdsaWithSha256Oid
                && unusedBits == 0
                && issuerKey.VerifyData(signed.Span, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (Exception e) when (e is AsnContentException or CryptographicException)
        {
            return false;
        }
    }

    /// <summary>
    /// The subjectAltName entries: URIs as text, any other kind of name as null.
    /// Read by hand because .NET's SAN extension type exposes DNS names and IP addresses only.
    /// </summary>
    public static IReadOnlyList<string?> ReadSubjectAltNames(X509Certificate2 certificate)
    {
        var extension = certificate.Extensions[CertificateProfile.SubjectAltNameOid];
        if (extension is null)
        {
            return [];
        }
        var names = new List<string?>();
        var reader = new AsnReader(extension.RawData, AsnEncodingRules.DER);
        var sequence = reader.ReadSequence();
        reader.ThrowIfNotEmpty();
        var uriTag = new Asn1Tag(TagClass.ContextSpecific, 6);
        while (sequence.HasData)
        {
            if (sequence.PeekTag() == uriTag)
            {
                names.Add(sequence.ReadCharacterString(UniversalTagNumber.IA5String, uriTag));
            }
            else
            {
                sequence.ReadEncodedValue();
                names.Add(null);
            }
        }
        return names;
    }

    /// <summary>True when the subjectAltName is exactly one URI, equal to <paramref name="uri"/>.</summary>
    public static bool HasOnlyUri(X509Certificate2 certificate, string uri)
    {
        try
        {
            return ReadSubjectAltNames(certificate) is [var only] && string.Equals(only, uri, StringComparison.Ordinal);
        }
        catch (AsnContentException)
        {
            return false;
        }
    }
}
