namespace CapaKit.Tasks.Tests;

[TestClass]
public sealed class BundleFormatTests
{
    [TestMethod]
    public void SpiffeIdUsesTheKitTrustDomain()
    {
        Assert.AreEqual("spiffe://todo.capakit.local/api", CapaKit.Bundle.BundleFormat.SpiffeId("todo", "api"));
    }
}
