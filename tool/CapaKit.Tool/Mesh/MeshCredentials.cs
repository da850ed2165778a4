using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CapaKit.Bundle;

namespace CapaKit.Tool.Mesh;

/// <summary>
/// The Kit CA and the workloads' certificates with their private keys, loaded once when the mesh starts, so a
/// connection parses nothing. The keys are read here, by the runtime, and never leave it.
/// </summary>
internal sealed class MeshCredentials : IDisposable
{
    private const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";

    private readonly X509Certificate2 _authority;
    private readonly Dictionary<string, X509Certificate2> _certificates;
    private readonly Dictionary<string, SslStreamCertificateContext> _contexts;

    private MeshCredentials(X509Certificate2 authority, Dictionary<string, X509Certificate2> certificates, Dictionary<string, SslStreamCertificateContext> contexts)
    {
        _authority = authority;
        _certificates = certificates;
        _contexts = contexts;
        // SslStream clones the policy for each handshake, so one instance serves every connection.
        ClientCertificatePolicy = TrustOnlyAuthority(ClientAuthOid);
        ServerCertificatePolicy = TrustOnlyAuthority(ServerAuthOid);
    }

    /// <summary>How an inbound proxy checks a client certificate: issued by the Kit CA, valid now, for client auth.</summary>
    public X509ChainPolicy ClientCertificatePolicy { get; }

    /// <summary>How an outbound proxy checks a server certificate: issued by the Kit CA, valid now, for server auth.</summary>
    public X509ChainPolicy ServerCertificatePolicy { get; }

    public SslStreamCertificateContext Context(string workload) => _contexts[workload];

    /// <summary>Loads the CA and the certificates of <paramref name="workloads"/>, checking each is the one the bundle describes.</summary>
    public static MeshCredentials Load(KitBundle kit, string bundleDirectory, IEnumerable<string> workloads)
    {
        var authorityPath = BundlePath(bundleDirectory, kit.Identity.CaCertificate);
        var authority = Read(authorityPath, () => X509Certificate2.CreateFromPem(File.ReadAllText(authorityPath)));
        var certificates = new Dictionary<string, X509Certificate2>(StringComparer.Ordinal);
        var contexts = new Dictionary<string, SslStreamCertificateContext>(StringComparer.Ordinal);
        var credentials = new MeshCredentials(authority, certificates, contexts);
        try
        {
            foreach (var workload in workloads)
            {
                var identity = kit.Workloads[workload].Identity;
                var certificatePath = BundlePath(bundleDirectory, identity.Certificate);
                var keyPath = BundlePath(bundleDirectory, identity.Key);
                var certificate = Read(certificatePath, () => LoadWithKey(certificatePath, keyPath));
                certificates[workload] = certificate;
                credentials.CheckIdentity(workload, certificate, identity.SpiffeId, certificatePath);
                contexts[workload] = SslStreamCertificateContext.Create(certificate, additionalCertificates: null, offline: true);
            }
            return credentials;
        }
        catch
        {
            credentials.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var certificate in _certificates.Values)
        {
            certificate.Dispose();
        }
        _authority.Dispose();
    }

    /// <summary>Fails at start, with advice, rather than at every handshake, when the bundle's certificates do not match its model.</summary>
    private void CheckIdentity(string workload, X509Certificate2 certificate, string spiffeId, string path)
    {
        var actual = SpiffeCertificate.ReadId(certificate);
        if (actual != spiffeId)
        {
            throw new InvalidDataException(
                $"The certificate of workload '{workload}' ({path}) carries {actual ?? "no single URI SAN"}, not {spiffeId}; rebuild the Kit.");
        }
        using var chain = new X509Chain { ChainPolicy = ClientCertificatePolicy.Clone() };
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(ServerAuthOid));
        var valid = chain.Build(certificate);
        foreach (var element in chain.ChainElements)
        {
            element.Certificate.Dispose();
        }
        if (!valid)
        {
            var problems = string.Join(", ", chain.ChainStatus.Select(s => s.Status.ToString()).Distinct());
            throw new InvalidDataException(
                $"The certificate of workload '{workload}' ({path}) is not valid under the Kit CA ({problems}); rebuild the Kit.");
        }
    }

    private X509ChainPolicy TrustOnlyAuthority(string usage)
    {
        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
            DisableCertificateDownloads = true,
        };
        policy.CustomTrustStore.Add(_authority);
        policy.ApplicationPolicy.Add(new Oid(usage));
        return policy;
    }

    /// <summary>
    /// A certificate with its private key usable by SslStream on every platform: a PEM-loaded key is ephemeral, which
    /// some TLS back ends refuse; the PKCS#12 round trip gives a regular one (in memory on Linux).
    /// </summary>
    private static X509Certificate2 LoadWithKey(string certificatePath, string keyPath)
    {
        using var pem = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), password: null);
    }

    private static X509Certificate2 Read(string path, Func<X509Certificate2> load)
    {
        try
        {
            return load();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw new InvalidDataException($"Cannot read the Kit certificate {path}: {e.Message} Rebuild the Kit.", e);
        }
    }

    private static string BundlePath(string bundleDirectory, string relative) =>
        Path.GetFullPath(Path.Combine(bundleDirectory, relative));
}
