using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace CapaKit.Tool.Mesh;

/// <summary>Reads the SPIFFE ID of an X.509-SVID.</summary>
internal static class SpiffeCertificate
{
    private const string SubjectAltNameOid = "2.5.29.17";
    private static readonly Asn1Tag UriName = new(TagClass.ContextSpecific, 6);

    /// <summary>
    /// The certificate's SPIFFE ID: its subjectAltName must hold exactly one name, a URI. Null otherwise, so a
    /// certificate carrying a second name (another URI, a DNS name) proves no identity at all.
    /// </summary>
    /// <remarks>Parsed from the DER bytes rather than through System.Uri, which may normalise the text we compare.</remarks>
    public static string? ReadId(X509Certificate2 certificate)
    {
        var extension = certificate.Extensions[SubjectAltNameOid];
        if (extension is null)
        {
            return null;
        }
        try
        {
            var reader = new AsnReader(extension.RawData, AsnEncodingRules.DER);
            var names = reader.ReadSequence();
            reader.ThrowIfNotEmpty();
            if (!names.HasData || names.PeekTag() != UriName)
            {
                return null;
            }
            var uri = names.ReadCharacterString(UniversalTagNumber.IA5String, UriName);
            return names.HasData ? null : uri;
        }
        catch (AsnContentException)
        {
            return null;
        }
    }

    /// <summary>SVID rule: a workload's certificate is a leaf (cA=false); a CA certificate proves no workload.</summary>
    public static bool IsCertificateAuthority(X509Certificate2 certificate) =>
        certificate.Extensions.OfType<X509BasicConstraintsExtension>().Any(b => b.CertificateAuthority);
}
