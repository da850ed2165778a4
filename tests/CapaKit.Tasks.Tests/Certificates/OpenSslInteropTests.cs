using CapaKit.Bundle;

namespace CapaKit.Tasks.Tests.Certificates;

/// <summary>The certificates as a different X.509 implementation (the openssl CLI) sees them.</summary>
[TestClass]
public sealed class OpenSslInteropTests
{
    [TestMethod]
    public void OpenSslVerifiesTheLeafAgainstTheCa()
    {
        using var bundle = new TempBundle();
        bundle.Ensure("todo", DateTimeOffset.UtcNow, "api");

        foreach (var purpose in new[] { "sslserver", "sslclient" })
        {
            var (exitCode, output) = OpenSsl.Run("verify", "-x509_strict", "-purpose", purpose, "-CAfile", bundle.CaCertificate, bundle.Certificate("api"));
            Assert.AreEqual(0, exitCode, output);
            Assert.Contains(": OK", output);
        }
    }

    [TestMethod]
    public void OpenSslRejectsTheLeafAgainstAnotherCa()
    {
        using var bundle = new TempBundle();
        using var other = new TempBundle();
        bundle.Ensure("todo", DateTimeOffset.UtcNow, "api");
        other.Ensure("todo", DateTimeOffset.UtcNow, "api");

        var (exitCode, output) = OpenSsl.Run("verify", "-CAfile", other.CaCertificate, bundle.Certificate("api"));

        Assert.AreNotEqual(0, exitCode, output);
    }

    [TestMethod]
    public void OpenSslShowsTheSpiffeSanAndTlsPurposes()
    {
        using var bundle = new TempBundle();
        bundle.Ensure("todo", DateTimeOffset.UtcNow, "api");

        var (exitCode, text) = OpenSsl.Run("x509", "-in", bundle.Certificate("api"), "-noout", "-text");

        Assert.AreEqual(0, exitCode, text);
        Assert.Contains("URI:" + BundleFormat.SpiffeId("todo", "api"), text);
        Assert.DoesNotContain("DNS:", text);
        Assert.Contains("TLS Web Server Authentication, TLS Web Client Authentication", text);
        Assert.Contains("CA:FALSE", text);
        Assert.Contains("X509v3 Key Usage: critical\n                Digital Signature\n", text);
        Assert.Contains("Subject: CN = api", text);
        Assert.Contains("ASN1 OID: prime256v1", text);
        Assert.Contains("ecdsa-with-SHA256", text);
    }

    [TestMethod]
    public void OpenSslShowsTheCaConstraints()
    {
        using var bundle = new TempBundle();
        bundle.Ensure("todo", DateTimeOffset.UtcNow, "api");

        var (exitCode, text) = OpenSsl.Run("x509", "-in", bundle.CaCertificate, "-noout", "-text");

        Assert.AreEqual(0, exitCode, text);
        Assert.Contains("X509v3 Basic Constraints: critical\n                CA:TRUE, pathlen:0", text);
        Assert.Contains("X509v3 Key Usage: critical\n                Certificate Sign, CRL Sign", text);
        Assert.Contains("Subject: CN = todo CapaKit CA", text);
    }

    [TestMethod]
    public void OpenSslReadsTheKeysAsTheCertificatesKeys()
    {
        using var bundle = new TempBundle();
        bundle.Ensure("todo", DateTimeOffset.UtcNow, "api");

        foreach (var (certificate, key) in new[] { (bundle.CaCertificate, bundle.CaKey), (bundle.Certificate("api"), bundle.Key("api")) })
        {
            var (certExit, certPublic) = OpenSsl.Run("x509", "-in", certificate, "-noout", "-pubkey");
            var (keyExit, keyPublic) = OpenSsl.Run("pkey", "-in", key, "-pubout");
            Assert.AreEqual(0, certExit, certPublic);
            Assert.AreEqual(0, keyExit, keyPublic);
            Assert.AreEqual(certPublic, keyPublic);
        }
    }
}
