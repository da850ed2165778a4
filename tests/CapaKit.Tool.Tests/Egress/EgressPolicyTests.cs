using System.Net;
using System.Net.Sockets;
using CapaKit.Tool.Egress;

namespace CapaKit.Tool.Tests.Egress;

[TestClass]
public sealed class EgressPolicyTests
{
    // Fake answers only: these addresses are compared, never connected to.
    private static HostAddressResolver Answer(params string[] addresses) =>
        (_, _) => Task.FromResult(addresses.Select(IPAddress.Parse).ToArray());

    [TestMethod]
    public async Task Evaluate_ListedHostWithPublicAddresses_IsAllowedWithTheCheckedAddresses()
    {
        var policy = new EgressPolicy(["registry.npmjs.org"]) { Resolver = Answer("104.16.1.35", "2606:4700::6810:123") };

        var decision = await policy.EvaluateAsync("Registry.NPMJS.org.", 443, CancellationToken.None);

        Assert.AreEqual(EgressVerdict.Allowed, decision.Verdict);
        Assert.AreEqual("registry.npmjs.org", decision.Host);
        CollectionAssert.AreEqual(new[] { IPAddress.Parse("104.16.1.35"), IPAddress.Parse("2606:4700::6810:123") }, decision.Addresses.ToArray());
    }

    [TestMethod]
    public async Task Evaluate_UnlistedHost_IsRefusedWithoutAnyDnsQuery()
    {
        var lookups = 0;
        var policy = new EgressPolicy(["registry.npmjs.org"]) { Resolver = (_, _) => { lookups++; return Task.FromResult(Array.Empty<IPAddress>()); } };

        var decision = await policy.EvaluateAsync("evil.example", 443, CancellationToken.None);

        Assert.AreEqual(EgressVerdict.HostNotListed, decision.Verdict);
        Assert.AreEqual(0, lookups);
    }

    [TestMethod]
    [DataRow(22)]
    [DataRow(8080)]
    [DataRow(0)]
    public async Task Evaluate_PortOtherThan443Or80_IsRefused(int port)
    {
        var policy = new EgressPolicy(["registry.npmjs.org"]) { Resolver = Answer("104.16.1.35") };

        var decision = await policy.EvaluateAsync("registry.npmjs.org", port, CancellationToken.None);

        Assert.AreEqual(EgressVerdict.PortNotAllowed, decision.Verdict);
    }

    [TestMethod]
    [DataRow("10.0.0.5")]
    [DataRow("169.254.169.254")]
    [DataRow("127.0.0.1")]
    [DataRow("fd00::1")]
    [DataRow("::ffff:192.168.0.1")]
    public async Task Evaluate_ListedNameResolvingToNonPublicAddress_IsRefused(string address)
    {
        var policy = new EgressPolicy(["registry.example.com"]) { Resolver = Answer(address) };

        var decision = await policy.EvaluateAsync("registry.example.com", 443, CancellationToken.None);

        Assert.AreEqual(EgressVerdict.NonPublicAddress, decision.Verdict);
        Assert.IsEmpty(decision.Addresses.Where(a => !NonPublicAddressRanges.IsNonPublic(a)));
    }

    [TestMethod]
    public async Task Evaluate_MixedPublicAndPrivateAnswer_IsRefused()
    {
        var policy = new EgressPolicy(["registry.example.com"]) { Resolver = Answer("104.16.1.35", "10.0.0.7") };

        var decision = await policy.EvaluateAsync("registry.example.com", 443, CancellationToken.None);

        Assert.AreEqual(EgressVerdict.NonPublicAddress, decision.Verdict);
        StringAssert.Contains(decision.Reason, "10.0.0.7");
    }

    [TestMethod]
    public async Task Evaluate_LocalhostWithRealResolution_IsRefusedUnlessInTestingList()
    {
        var production = new EgressPolicy(["localhost"]);
        var testing = new EgressPolicy(["localhost"]) { LoopbackAllowedHostsForTesting = ["LOCALHOST."] };

        var refused = await production.EvaluateAsync("localhost", 443, CancellationToken.None);
        var allowed = await testing.EvaluateAsync("localhost", 443, CancellationToken.None);

        Assert.AreEqual(EgressVerdict.NonPublicAddress, refused.Verdict);
        StringAssert.Contains(refused.Reason, "loopback");
        Assert.AreEqual(EgressVerdict.Allowed, allowed.Verdict);
        Assert.IsTrue(allowed.Addresses.All(IPAddress.IsLoopback));
    }

    [TestMethod]
    public async Task Evaluate_TestingListIsExactNotWildcard()
    {
        var policy = new EgressPolicy(["*.example.com"])
        {
            Resolver = Answer("127.0.0.1"),
            LoopbackAllowedHostsForTesting = ["a.example.com"],
        };

        Assert.AreEqual(EgressVerdict.Allowed, (await policy.EvaluateAsync("a.example.com", 443, CancellationToken.None)).Verdict);
        Assert.AreEqual(EgressVerdict.NonPublicAddress, (await policy.EvaluateAsync("b.example.com", 443, CancellationToken.None)).Verdict);
    }

    [TestMethod]
    [DataRow("127.0.0.1")]
    [DataRow("[::1]")]
    [DataRow("10.1.2.3")]
    [DataRow("2130706433")]
    public async Task Evaluate_ListedNonPublicIpLiteral_IsRefused(string literal)
    {
        var policy = new EgressPolicy([literal]) { Resolver = (_, _) => throw new AssertFailedException("IP literals are not resolved") };

        var decision = await policy.EvaluateAsync(literal, 443, CancellationToken.None);

        Assert.AreEqual(EgressVerdict.NonPublicAddress, decision.Verdict);
    }

    [TestMethod]
    public async Task Evaluate_PublicIpLiteral_IsCheckedLikeAName()
    {
        var policy = new EgressPolicy(["104.16.1.35"]);

        var decision = await policy.EvaluateAsync("104.16.1.35", 443, CancellationToken.None);

        Assert.AreEqual(EgressVerdict.Allowed, decision.Verdict);
        Assert.AreEqual(IPAddress.Parse("104.16.1.35"), decision.Addresses.Single());
    }

    [TestMethod]
    public async Task Evaluate_DnsFailure_IsUnresolvable()
    {
        var policy = new EgressPolicy(["registry.example.com"]) { Resolver = (_, _) => throw new SocketException((int)SocketError.HostNotFound) };

        var decision = await policy.EvaluateAsync("registry.example.com", 443, CancellationToken.None);

        Assert.AreEqual(EgressVerdict.Unresolvable, decision.Verdict);
    }

    [TestMethod]
    [DataRow("bad host")]
    [DataRow("a..b")]
    public async Task Evaluate_InvalidHost_IsRefused(string host)
    {
        var policy = new EgressPolicy(["registry.npmjs.org"]);

        var decision = await policy.EvaluateAsync(host, 443, CancellationToken.None);

        Assert.AreEqual(EgressVerdict.InvalidHost, decision.Verdict);
    }
}
