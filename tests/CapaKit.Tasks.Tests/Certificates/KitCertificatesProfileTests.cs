using System.Numerics;
using System.Runtime.Versioning;
using System.Security.Cryptography.X509Certificates;
using CapaKit.Bundle;

namespace CapaKit.Tasks.Tests.Certificates;

/// <summary>What the generated CA and leaves contain, checked with .NET's own X.509 types.</summary>
[TestClass]
public sealed class KitCertificatesProfileTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [TestMethod]
    public void FirstEnsureWritesCaAndOnePairPerWorkload()
    {
        using var bundle = new TempBundle();

        var update = bundle.Ensure("todo", Now, "web", "api");

        string[] expected = [bundle.CaCertificate, bundle.CaKey, bundle.Certificate("api"), bundle.Key("api"), bundle.Certificate("web"), bundle.Key("web")];
        CollectionAssert.AreEqual(expected, update.Files.ToArray());
        CollectionAssert.AreEquivalent(expected, update.Written.ToArray());
        Assert.IsEmpty(update.Deleted);
        foreach (var file in expected)
        {
            Assert.IsTrue(Path.IsPathFullyQualified(file), file);
            Assert.IsTrue(File.Exists(file), file);
        }
    }

    [TestMethod]
    public void ChainVerifiesWithCustomRootTrust()
    {
        using var bundle = new TempBundle();
        bundle.Ensure("todo", Now, "api");
        using var ca = TestCertificates.Load(bundle.CaCertificate);
        using var leaf = TestCertificates.Load(bundle.Certificate("api"));

        using var chain = new X509Chain { ChainPolicy = TestCertificates.TrustOnly(ca, Now.AddDays(1)) };
        chain.ChainPolicy.ApplicationPolicy.Add(new(TestCertificates.ServerAuth));
        chain.ChainPolicy.ApplicationPolicy.Add(new(TestCertificates.ClientAuth));
        var built = chain.Build(leaf);

        Assert.IsTrue(built, string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));
        Assert.HasCount(2, chain.ChainElements);
        Assert.AreEqual(ca.Thumbprint, chain.ChainElements[1].Certificate.Thumbprint);
    }

    [TestMethod]
    public void ChainOfAnotherKitsCaDoesNotVerify()
    {
        using var bundle = new TempBundle();
        using var other = new TempBundle();
        bundle.Ensure("todo", Now, "api");
        other.Ensure("todo", Now, "api");
        using var otherCa = TestCertificates.Load(other.CaCertificate);
        using var leaf = TestCertificates.Load(bundle.Certificate("api"));

        using var chain = new X509Chain { ChainPolicy = TestCertificates.TrustOnly(otherCa, Now.AddDays(1)) };

        Assert.IsFalse(chain.Build(leaf));
    }

    [TestMethod]
    public void LeafHasExactlyOneUriSanEqualToTheSpiffeId()
    {
        using var bundle = new TempBundle();
        bundle.Ensure("todo", Now, "api", "web");

        foreach (var workload in new[] { "api", "web" })
        {
            using var leaf = TestCertificates.Load(bundle.Certificate(workload));
            var names = TestCertificates.SubjectAltNames(leaf);
            Assert.HasCount(1, names);
            Assert.AreEqual((6, BundleFormat.SpiffeId("todo", workload)), names[0]);
            Assert.IsEmpty(leaf.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames());
        }
    }

    [TestMethod]
    public void LeafIsAnEndEntityForTlsServerAndClient()
    {
        using var bundle = new TempBundle();
        bundle.Ensure("todo", Now, "api");
        using var ca = TestCertificates.Load(bundle.CaCertificate);
        using var leaf = TestCertificates.Load(bundle.Certificate("api"));

        var constraints = leaf.Extensions.OfType<X509BasicConstraintsExtension>().Single();
        Assert.IsFalse(constraints.CertificateAuthority);
        Assert.IsTrue(constraints.Critical);
        var usage = leaf.Extensions.OfType<X509KeyUsageExtension>().Single();
        Assert.AreEqual(X509KeyUsageFlags.DigitalSignature, usage.KeyUsages);
        Assert.IsTrue(usage.Critical);
        var purposes = leaf.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages
            .Cast<System.Security.Cryptography.Oid>().Select(oid => oid.Value).ToArray();
        CollectionAssert.AreEquivalent(new[] { TestCertificates.ServerAuth, TestCertificates.ClientAuth }, purposes);

        var authorityKeyId = leaf.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().Single().KeyIdentifier;
        var caKeyId = ca.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single().SubjectKeyIdentifierBytes;
        Assert.IsNotNull(authorityKeyId);
        CollectionAssert.AreEqual(caKeyId.ToArray(), authorityKeyId.Value.ToArray());

        Assert.AreEqual("api", leaf.GetNameInfo(X509NameType.SimpleName, forIssuer: false));
        Assert.AreEqual(ca.SubjectName.Name, leaf.IssuerName.Name);
        var serial = leaf.SerialNumberBytes.Span;
        Assert.AreEqual(16, serial.Length);
        Assert.IsTrue(new BigInteger(serial, isUnsigned: false, isBigEndian: true) > 0);
        Assert.AreEqual(ca.NotAfter, leaf.NotAfter);
        Assert.AreEqual(256, leaf.GetECDsaPublicKey()!.KeySize);
        Assert.AreEqual("1.2.840.10045.4.3.2", leaf.SignatureAlgorithm.Value);
    }

    [TestMethod]
    public void SerialNumbersAreRandom()
    {
        using var bundle = new TempBundle();
        bundle.Ensure("todo", Now, "api", "web");
        using var api = TestCertificates.Load(bundle.Certificate("api"));
        using var web = TestCertificates.Load(bundle.Certificate("web"));
        using var ca = TestCertificates.Load(bundle.CaCertificate);

        Assert.AreNotEqual(api.SerialNumber, web.SerialNumber);
        Assert.AreNotEqual(api.SerialNumber, ca.SerialNumber);
    }

    [TestMethod]
    public void CaIsASelfSignedP256CertificateAuthorityForOneYear()
    {
        using var bundle = new TempBundle();
        bundle.Ensure("todo", Now, "api");
        using var ca = TestCertificates.Load(bundle.CaCertificate);

        Assert.AreEqual("CN=todo CapaKit CA", ca.Subject);
        Assert.AreEqual(ca.Subject, ca.Issuer);
        var constraints = ca.Extensions.OfType<X509BasicConstraintsExtension>().Single();
        Assert.IsTrue(constraints.CertificateAuthority);
        Assert.IsTrue(constraints.Critical);
        Assert.IsTrue(constraints.HasPathLengthConstraint);
        Assert.AreEqual(0, constraints.PathLengthConstraint);
        var usage = ca.Extensions.OfType<X509KeyUsageExtension>().Single();
        Assert.AreEqual(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, usage.KeyUsages);
        Assert.IsTrue(usage.Critical);
        Assert.IsNotNull(ca.Extensions.OfType<X509SubjectKeyIdentifierExtension>().SingleOrDefault());
        Assert.AreEqual(Now.AddMinutes(-5).UtcDateTime, ca.NotBefore.ToUniversalTime());
        Assert.AreEqual(Now.AddDays(365).UtcDateTime, ca.NotAfter.ToUniversalTime());
        Assert.AreEqual(256, ca.GetECDsaPublicKey()!.KeySize);
        Assert.AreEqual(16, ca.SerialNumberBytes.Length);
    }

    [TestMethod]
    public void KeysArePkcs8PemMatchingTheirCertificates()
    {
        using var bundle = new TempBundle();
        bundle.Ensure("todo", Now, "api");

        foreach (var (certificate, key) in new[] { (bundle.CaCertificate, bundle.CaKey), (bundle.Certificate("api"), bundle.Key("api")) })
        {
            var text = File.ReadAllText(key);
            Assert.StartsWith("-----BEGIN PRIVATE KEY-----", text);
            using var pair = X509Certificate2.CreateFromPemFile(certificate, key);
            Assert.IsTrue(pair.HasPrivateKey);
        }
    }

    [TestMethod]
    [OSCondition(ConditionMode.Exclude, OperatingSystems.Windows)]
    [UnsupportedOSPlatform("windows")]
    public void KeyFilesAre0600AndTheCertsFolder0700()
    {
        using var bundle = new TempBundle();
        bundle.Ensure("todo", Now, "api", "web");

        const UnixFileMode ownerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        foreach (var key in new[] { bundle.CaKey, bundle.Key("api"), bundle.Key("web") })
        {
            Assert.AreEqual(ownerReadWrite, File.GetUnixFileMode(key), key);
        }
        Assert.AreEqual(ownerReadWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(bundle.CertsDirectory));
    }

    [TestMethod]
    [OSCondition(ConditionMode.Exclude, OperatingSystems.Windows)]
    [UnsupportedOSPlatform("windows")]
    public void LooseModesOnAnExistingFolderAndKeyAreTightened()
    {
        using var bundle = new TempBundle();
        bundle.Ensure("todo", Now, "api");
        const UnixFileMode loose = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        File.SetUnixFileMode(bundle.Key("api"), loose);
        File.SetUnixFileMode(bundle.CertsDirectory, loose | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);

        var update = bundle.Ensure("todo", Now, "api");

        Assert.IsEmpty(update.Written);
        Assert.AreEqual(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(bundle.Key("api")));
        Assert.AreEqual(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(bundle.CertsDirectory));
    }
}
