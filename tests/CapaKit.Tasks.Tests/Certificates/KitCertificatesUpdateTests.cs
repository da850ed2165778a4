using CapaKit.Bundle;
using CapaKit.Tasks.Certificates;

namespace CapaKit.Tasks.Tests.Certificates;

/// <summary>When Ensure keeps, reissues or deletes files.</summary>
[TestClass]
public sealed class KitCertificatesUpdateTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [TestMethod]
    public void SecondEnsureWritesNothingAndKeepsMtimes()
    {
        using var bundle = new TempBundle();
        bundle.Ensure("todo", Now, "api", "web");
        var before = bundle.Snapshot();

        var update = bundle.Ensure("todo", Now.AddDays(10), "web", "api");

        Assert.IsEmpty(update.Written);
        Assert.IsEmpty(update.Deleted);
        Assert.HasCount(6, update.Files);
        CollectionAssert.AreEquivalent(before.ToList(), bundle.Snapshot().ToList());
    }

    [TestMethod]
    public void AddingAWorkloadWritesOnlyItsTwoFiles()
    {
        using var bundle = new TempBundle();
        bundle.Ensure("todo", Now, "api");
        var before = bundle.Snapshot();

        var update = bundle.Ensure("todo", Now.AddDays(1), "api", "web");

        CollectionAssert.AreEquivalent(new[] { bundle.Certificate("web"), bundle.Key("web") }, update.Written.ToArray());
        var after = bundle.Snapshot();
        foreach (var (file, state) in before)
        {
            Assert.AreEqual(state, after[file], file);
        }
        using var ca = TestCertificates.Load(bundle.CaCertificate);
        using var web = TestCertificates.Load(bundle.Certificate("web"));
        using var chain = new System.Security.Cryptography.X509Certificates.X509Chain { ChainPolicy = TestCertificates.TrustOnly(ca, Now.AddDays(2)) };
        Assert.IsTrue(chain.Build(web));
    }

    [TestMethod]
    public void RemovingAWorkloadDeletesOnlyItsFiles()
    {
        using var bundle = new TempBundle();
        bundle.Ensure("todo", Now, "api", "web");
        var notes = Path.Combine(bundle.CertsDirectory, "notes.txt");
        File.WriteAllText(notes, "not ours");

        var update = bundle.Ensure("todo", Now, "api");

        CollectionAssert.AreEquivalent(new[] { bundle.Certificate("web"), bundle.Key("web") }, update.Deleted.ToArray());
        Assert.IsEmpty(update.Written);
        Assert.IsFalse(File.Exists(bundle.Certificate("web")));
        Assert.IsFalse(File.Exists(bundle.Key("web")));
        Assert.IsTrue(File.Exists(notes));
        Assert.IsTrue(File.Exists(bundle.Certificate("api")));
        CollectionAssert.DoesNotContain(update.Files.ToArray(), bundle.Certificate("web"));
    }

    [TestMethod]
    public void CaWithLessThan30DaysLeftRegeneratesEverything()
    {
        using var bundle = new TempBundle();
        bundle.Ensure("todo", Now, "api", "web");
        var before = bundle.Snapshot();
        var later = Now.AddDays(340);

        var update = bundle.Ensure("todo", later, "api", "web");

        Assert.HasCount(6, update.Written);
        var after = bundle.Snapshot();
        foreach (var file in update.Files)
        {
            Assert.AreNotEqual(before[file].Content, after[file].Content, file);
        }
        using var ca = TestCertificates.Load(bundle.CaCertificate);
        Assert.AreEqual(later.AddDays(365).UtcDateTime, ca.NotAfter.ToUniversalTime());
        using var api = TestCertificates.Load(bundle.Certificate("api"));
        using var chain = new System.Security.Cryptography.X509Certificates.X509Chain { ChainPolicy = TestCertificates.TrustOnly(ca, later.AddDays(100)) };
        Assert.IsTrue(chain.Build(api));
    }

    [TestMethod]
    public void CaWithMoreThan30DaysLeftIsKept()
    {
        using var bundle = new TempBundle();
        bundle.Ensure("todo", Now, "api");

        var update = bundle.Ensure("todo", Now.AddDays(334), "api");

        Assert.IsEmpty(update.Written);
    }

    [TestMethod]
    public void CorruptedLeafPemIsRegeneratedAlone()
    {
        using var bundle = new TempBundle();
        bundle.Ensure("todo", Now, "api", "web");
        var before = bundle.Snapshot();
        var pem = File.ReadAllText(bundle.Certificate("api"));
        File.WriteAllText(bundle.Certificate("api"), pem[..(pem.Length / 2)]);

        var update = bundle.Ensure("todo", Now, "api", "web");

        CollectionAssert.AreEquivalent(new[] { bundle.Certificate("api"), bundle.Key("api") }, update.Written.ToArray());
        var after = bundle.Snapshot();
        foreach (var file in new[] { bundle.CaCertificate, bundle.CaKey, bundle.Certificate("web"), bundle.Key("web") })
        {
            Assert.AreEqual(before[file], after[file], file);
        }
        using var api = TestCertificates.Load(bundle.Certificate("api"));
        Assert.AreEqual(BundleFormat.SpiffeId("todo", "api"), TestCertificates.SpiffeId(api));
    }

    [TestMethod]
    public void LeafSignedByAnotherCaIsReplaced()
    {
        using var bundle = new TempBundle();
        using var impostor = new TempBundle();
        bundle.Ensure("todo", Now, "api", "web");
        // Same kit name, same SAN, same issuer name, a matching key pair: only the signature is wrong.
        impostor.Ensure("todo", Now, "api");
        File.Copy(impostor.Certificate("api"), bundle.Certificate("api"), overwrite: true);
        File.Copy(impostor.Key("api"), bundle.Key("api"), overwrite: true);

        var update = bundle.Ensure("todo", Now, "api", "web");

        CollectionAssert.AreEquivalent(new[] { bundle.Certificate("api"), bundle.Key("api") }, update.Written.ToArray());
        using var ca = TestCertificates.Load(bundle.CaCertificate);
        using var api = TestCertificates.Load(bundle.Certificate("api"));
        using var chain = new System.Security.Cryptography.X509Certificates.X509Chain { ChainPolicy = TestCertificates.TrustOnly(ca, Now.AddDays(1)) };
        Assert.IsTrue(chain.Build(api));
    }

    [TestMethod]
    public void LeafWithAnotherWorkloadsKeyIsReplaced()
    {
        using var bundle = new TempBundle();
        bundle.Ensure("todo", Now, "api", "web");
        File.Copy(bundle.Key("web"), bundle.Key("api"), overwrite: true);

        var update = bundle.Ensure("todo", Now, "api", "web");

        CollectionAssert.AreEquivalent(new[] { bundle.Certificate("api"), bundle.Key("api") }, update.Written.ToArray());
        using var pair = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(bundle.Certificate("api"), bundle.Key("api"));
        Assert.IsTrue(pair.HasPrivateKey);
    }

    [TestMethod]
    public void LeafWithAnotherWorkloadsSanIsReplaced()
    {
        using var bundle = new TempBundle();
        bundle.Ensure("todo", Now, "api", "web");
        // A valid pair from the right CA, but it names "web".
        File.Copy(bundle.Certificate("web"), bundle.Certificate("api"), overwrite: true);
        File.Copy(bundle.Key("web"), bundle.Key("api"), overwrite: true);

        var update = bundle.Ensure("todo", Now, "api", "web");

        CollectionAssert.AreEquivalent(new[] { bundle.Certificate("api"), bundle.Key("api") }, update.Written.ToArray());
        using var api = TestCertificates.Load(bundle.Certificate("api"));
        Assert.AreEqual(BundleFormat.SpiffeId("todo", "api"), TestCertificates.SpiffeId(api));
    }

    [TestMethod]
    public void LeafExpiringWithin30DaysIsReplacedAlone()
    {
        using var bundle = new TempBundle();
        bundle.Ensure("todo", Now, "api", "web");
        TestCertificates.PlantLeaf(bundle, "api", BundleFormat.SpiffeId("todo", "api"), Now.AddMinutes(-1), Now.AddDays(20));
        // Right CA, right SAN, matching key: only its 20 days of remaining life make it due for renewal.
        var planted = bundle.Snapshot();

        var update = bundle.Ensure("todo", Now, "api", "web");

        CollectionAssert.AreEquivalent(new[] { bundle.Certificate("api"), bundle.Key("api") }, update.Written.ToArray());
        Assert.AreNotEqual(planted[bundle.Certificate("api")].Content, File.ReadAllText(bundle.Certificate("api")));
    }

    [TestMethod]
    public void PlantedLeafWithEnoughLifeAndRightSanIsKept()
    {
        // Control for the test above: the CA's leaf checks accept a well-formed leaf they did not write themselves.
        using var bundle = new TempBundle();
        bundle.Ensure("todo", Now, "api");
        TestCertificates.PlantLeaf(bundle, "api", BundleFormat.SpiffeId("todo", "api"), Now.AddMinutes(-1), Now.AddDays(200));

        var update = bundle.Ensure("todo", Now, "api");

        Assert.IsEmpty(update.Written);
    }

    [TestMethod]
    public void MissingCaKeyRegeneratesEverything()
    {
        using var bundle = new TempBundle();
        bundle.Ensure("todo", Now, "api");
        File.Delete(bundle.CaKey);

        var update = bundle.Ensure("todo", Now, "api");

        Assert.HasCount(4, update.Written);
    }

    [TestMethod]
    public void CaOfAnotherKitNameRegeneratesEverything()
    {
        using var bundle = new TempBundle();
        bundle.Ensure("todo", Now, "api");

        var update = bundle.Ensure("done", Now, "api");

        Assert.HasCount(4, update.Written);
        using var ca = TestCertificates.Load(bundle.CaCertificate);
        using var api = TestCertificates.Load(bundle.Certificate("api"));
        Assert.AreEqual("CN=done CapaKit CA", ca.Subject);
        Assert.AreEqual("spiffe://done.capakit.local/api", TestCertificates.SpiffeId(api));
    }

    [TestMethod]
    public void CaKeyNotMatchingTheCaCertificateRegeneratesEverything()
    {
        using var bundle = new TempBundle();
        bundle.Ensure("todo", Now, "api");
        File.Copy(bundle.Key("api"), bundle.CaKey, overwrite: true);

        var update = bundle.Ensure("todo", Now, "api");

        Assert.HasCount(4, update.Written);
    }

    [TestMethod]
    public void LeftoverTemporaryFilesAreRemoved()
    {
        using var bundle = new TempBundle();
        bundle.Ensure("todo", Now, "api");
        var leftover = Path.Combine(bundle.CertsDirectory, ".capakit-api.key.0123456789abcdef.tmp");
        File.WriteAllText(leftover, "half a key");

        var update = bundle.Ensure("todo", Now, "api");

        Assert.IsFalse(File.Exists(leftover));
        Assert.IsEmpty(update.Written);
        Assert.IsEmpty(update.Deleted);
    }

    [TestMethod]
    [DataRow("")]
    [DataRow("a/b")]
    [DataRow("..")]
    [DataRow("a..b")]
    [DataRow("a\\b")]
    [DataRow("my kit")]
    public void InvalidKitNamesAreRejected(string kitName)
    {
        using var bundle = new TempBundle();

        Assert.ThrowsExactly<ArgumentException>(() => KitCertificates.Ensure(bundle.Directory, kitName, ["api"], Now));
        Assert.IsFalse(Directory.Exists(bundle.CertsDirectory));
    }

    [TestMethod]
    [DataRow("ca")]
    [DataRow("../api")]
    [DataRow("")]
    public void WorkloadNamesThatWouldEscapeOrCollideAreRejected(string workload)
    {
        using var bundle = new TempBundle();

        Assert.ThrowsExactly<ArgumentException>(() => KitCertificates.Ensure(bundle.Directory, "todo", [workload], Now));
    }
}
