using System.Diagnostics;
using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CapaKit.Bundle;
using CapaKit.Tasks.Certificates;

namespace CapaKit.Tasks.Tests.Certificates;

/// <summary>A temporary bundle folder, deleted on dispose.</summary>
internal sealed class TempBundle : IDisposable
{
    public TempBundle()
    {
        Directory = Path.Combine(Path.GetTempPath(), "capakit-certs-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    public string CertsDirectory => Path.Combine(Directory, BundleFormat.CertificatesFolder);

    public string CaCertificate => Path.Combine(Directory, BundleFormat.CaCertificateFile);

    public string CaKey => Path.Combine(Directory, BundleFormat.CaKeyFile);

    public string Certificate(string workload) => Path.Combine(Directory, BundleFormat.WorkloadCertificate(workload));

    public string Key(string workload) => Path.Combine(Directory, BundleFormat.WorkloadKey(workload));

    public CertificateUpdate Ensure(string kit, DateTimeOffset now, params string[] workloads) =>
        KitCertificates.Ensure(Directory, kit, workloads, now);

    /// <summary>Content and mtime of every file in certs/, to prove a call touched nothing.</summary>
    public Dictionary<string, (string Content, DateTime WriteTime)> Snapshot() =>
        System.IO.Directory.EnumerateFiles(CertsDirectory).ToDictionary(
            file => file,
            file => (File.ReadAllText(file), File.GetLastWriteTimeUtc(file)));

    public void Dispose()
    {
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }
}

internal static class TestCertificates
{
    public const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    public const string ClientAuth = "1.3.6.1.5.5.7.3.2";

    public static X509Certificate2 Load(string path) => X509Certificate2.CreateFromPem(File.ReadAllText(path));

    /// <summary>
    /// Certificate with a private key usable by SslStream. A PEM-loaded key is ephemeral, which Windows refuses for TLS;
    /// on Linux both forms work (checked), and the PKCS#12 round trip keeps this helper portable.
    /// </summary>
    public static X509Certificate2 LoadWithKey(string certificatePath, string keyPath)
    {
        using var pem = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>The subjectAltName entries as (context tag, text); parsed here independently of the product code.</summary>
    public static List<(int Tag, string Value)> SubjectAltNames(X509Certificate2 certificate)
    {
        var extension = certificate.Extensions["2.5.29.17"];
        var names = new List<(int, string)>();
        if (extension is null)
        {
            return names;
        }
        var sequence = new AsnReader(extension.RawData, AsnEncodingRules.DER).ReadSequence();
        while (sequence.HasData)
        {
            var tag = sequence.PeekTag();
            names.Add(tag.TagValue == 6
                ? (6, sequence.ReadCharacterString(UniversalTagNumber.IA5String, tag))
                : (tag.TagValue, Convert.ToHexString(sequence.ReadEncodedValue().Span)));
        }
        return names;
    }

    public static string? SpiffeId(X509Certificate2 certificate) =>
        SubjectAltNames(certificate) is [(6, var uri)] ? uri : null;

    public static X509ChainPolicy TrustOnly(X509Certificate2 ca, DateTimeOffset? at = null)
    {
        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
            DisableCertificateDownloads = true,
        };
        if (at is { } time)
        {
            policy.VerificationTime = time.UtcDateTime;
        }
        policy.CustomTrustStore.Add(ca);
        return policy;
    }

    /// <summary>Signs a leaf with the bundle's CA key, to plant certificates the product would not make itself.</summary>
    public static void PlantLeaf(TempBundle bundle, string workload, string spiffeId, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var ca = X509Certificate2.CreateFromPemFile(bundle.CaCertificate, bundle.CaKey);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + workload, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(X509BasicConstraintsExtension.CreateForEndEntity(critical: true));
        var san = new SubjectAlternativeNameBuilder();
        san.AddUri(new Uri(spiffeId));
        request.CertificateExtensions.Add(san.Build());
        using var leaf = request.Create(ca, notBefore, notAfter, [0x42, 0x01]);
        File.WriteAllText(bundle.Certificate(workload), leaf.ExportCertificatePem());
        File.WriteAllText(bundle.Key(workload), key.ExportPkcs8PrivateKeyPem());
    }
}

internal static class OpenSsl
{
    private const string Path = "/usr/bin/openssl";

    public static (int ExitCode, string Output) Run(params string[] arguments)
    {
        if (!File.Exists(Path))
        {
            Assert.Inconclusive($"{Path} is not installed.");
        }
        var start = new ProcessStartInfo(Path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException("openssl did not start.");
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output + error.GetAwaiter().GetResult());
    }
}
