using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CapaKit.Tasks.Certificates;

/// <summary>The fixed parameters of Kit certificates (one CA per Kit, SPIFFE X.509-SVID leaves).</summary>
internal static class CertificateProfile
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(365);

    /// <summary>Back-dates NotBefore so a peer whose clock is slightly behind still accepts a fresh certificate.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>Certificates are renewed once less than this is left, so a running Kit never meets an expired one.</summary>
    public static readonly TimeSpan RenewBefore = TimeSpan.FromDays(30);

    public const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";
    public const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";
    public const string EcPublicKeyOid = "1.2.840.10045.2.1";
    public const string EcdsaWithSha256Oid = "1.2.840.10045.4.3.2";
    public const string SubjectAltNameOid = "2.5.29.17";

    /// <summary>DER of the OID of curve P-256 (secp256r1), the algorithm parameters of a P-256 public key.</summary>
    public static ReadOnlySpan<byte> P256ParametersDer => [0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07];

    public static string CaCommonName(string kitName) => $"{kitName} CapaKit CA";

    /// <summary>A random positive 16-byte serial; the top byte is pinned to 0x40..0x7F so DER keeps all 16 bytes and no sign byte.</summary>
    public static byte[] NewSerialNumber()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] = (byte)((serial[0] & 0x3F) | 0x40);
        return serial;
    }

    /// <summary>X.509 times have whole seconds; truncating up front keeps in-memory and encoded times equal.</summary>
    public static DateTimeOffset ToWholeSeconds(DateTimeOffset time)
    {
        var ticks = time.UtcTicks;
        return new DateTimeOffset(ticks - ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
    }

    /// <summary>True while the certificate is valid at <paramref name="now"/> and not yet due for renewal.</summary>
    public static bool IsFresh(X509Certificate2 certificate, DateTimeOffset now)
    {
        var notBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero);
        var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        return notBefore <= now && notAfter - now >= RenewBefore;
    }
}
