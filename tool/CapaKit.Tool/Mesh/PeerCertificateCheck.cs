using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace CapaKit.Tool.Mesh;

/// <summary>
/// Judges the certificate the other side presents during one handshake: it must chain to the Kit CA (checked by
/// SslStream with <see cref="MeshCredentials"/>' chain policy), be a leaf, and carry exactly one URI SAN that is one of
/// <paramref name="acceptedIds"/>. Remembers what it saw and why it refused, for the mesh's events.
/// </summary>
/// <param name="acceptedIds">SPIFFE ID → workload name of the peers this handshake may complete with.</param>
/// <param name="expectation">What an accepted peer is, for refusal messages ("a workload that declares 'api' in its connections").</param>
/// <param name="ignoreNameMismatch">
/// True on the client side: SslStream compares the host name, which SPIFFE peers do not carry; the URI SAN is checked here instead.
/// </param>
internal sealed class PeerCertificateCheck(IReadOnlyDictionary<string, string> acceptedIds, string expectation, bool ignoreNameMismatch)
{
    /// <summary>The single URI SAN of the presented certificate, whether or not it was trusted.</summary>
    public string? PeerId { get; private set; }

    /// <summary>The workload the certificate proved to be; set only when it was accepted.</summary>
    public string? PeerWorkload { get; private set; }

    public string? Refusal { get; private set; }

    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is not X509Certificate2 peer)
        {
            return Refuse("no certificate presented");
        }
        PeerId = SpiffeCertificate.ReadId(peer);
        if (ignoreNameMismatch)
        {
            errors &= ~SslPolicyErrors.RemoteCertificateNameMismatch;
        }
        if (errors != SslPolicyErrors.None)
        {
            return Refuse($"certificate not issued by this Kit's CA ({Describe(errors, chain)})");
        }
        if (SpiffeCertificate.IsCertificateAuthority(peer))
        {
            return Refuse("a CA certificate is not a workload's certificate");
        }
        if (PeerId is null)
        {
            return Refuse("certificate does not carry exactly one URI SAN (a SPIFFE ID)");
        }
        if (!acceptedIds.TryGetValue(PeerId, out var workload))
        {
            return Refuse($"{PeerId} is not {expectation}");
        }
        PeerWorkload = workload;
        return true;
    }

    /// <summary>Why a handshake that threw <paramref name="error"/> failed, for the refusal event.</summary>
    public string Describe(Exception error, CancellationToken meshStopping) =>
        Refusal ?? (meshStopping.IsCancellationRequested ? "the mesh is shutting down"
            : error is OperationCanceledException ? "no TLS handshake in time"
            : "TLS handshake failed: " + error.Message);

    private bool Refuse(string reason)
    {
        Refusal = reason;
        return false;
    }

    private static string Describe(SslPolicyErrors errors, X509Chain? chain)
    {
        var statuses = chain?.ChainStatus.Select(s => s.Status.ToString()).Distinct().ToList() ?? [];
        return statuses.Count == 0 ? errors.ToString() : $"{errors}: {string.Join(", ", statuses)}";
    }
}
