using CapaKit.Tool.Egress;

namespace CapaKit.Tool.Tests.Egress;

[TestClass]
public sealed class EgressHostPatternTests
{
    [TestMethod]
    [DataRow("*.example.com", "api.example.com", true)]
    [DataRow("*.example.com", "a.b.example.com", true)]
    [DataRow("*.example.com", "API.Example.COM.", true)]
    [DataRow("*.example.com", "example.com", false)]
    [DataRow("*.example.com", "badexample.com", false)]
    [DataRow("*.example.com", "example.com.evil.net", false)]
    [DataRow("*.example.com", ".example.com", false)]
    [DataRow("registry.npmjs.org", "registry.npmjs.org", true)]
    [DataRow("registry.npmjs.org", "REGISTRY.NPMJS.ORG.", true)]
    [DataRow("registry.npmjs.org", "npmjs.org", false)]
    [DataRow("registry.npmjs.org", "x.registry.npmjs.org", false)]
    [DataRow("registry.npmjs.org", "registry.npmjs.org.evil.net", false)]
    [DataRow("Registry.NPMJS.org.", "registry.npmjs.org", true)]
    [DataRow("bücher.example", "xn--bcher-kva.example", true)]
    [DataRow("bücher.example", "BÜCHER.example", true)]
    [DataRow("*.bücher.example", "api.xn--bcher-kva.example", true)]
    [DataRow("127.0.0.1", "127.0.0.1", true)]
    [DataRow("127.0.0.1", "0x7f.1", true)]
    [DataRow("127.0.0.1", "2130706433", true)]
    [DataRow("[::1]", "::1", true)]
    [DataRow("::1", "[0:0::1]", true)]
    public void Matches_FollowsSrtWildcardRuleAfterNormalization(string pattern, string host, bool expected)
    {
        var policy = new EgressPolicy([pattern]);

        Assert.AreEqual(expected, policy.IsListed(host), $"{pattern} vs {host}");
    }

    [TestMethod]
    [DataRow("*")]
    [DataRow("*.com")]
    [DataRow("foo.*.com")]
    [DataRow("*foo.com")]
    [DataRow("**.foo.com")]
    [DataRow("")]
    [DataRow("exa mple.com")]
    [DataRow("example..com")]
    [DataRow("-bad.example.com")]
    [DataRow("*.10.0.0.1")]
    [DataRow("https://registry.npmjs.org/")]
    [DataRow("user@host.example")]
    public void Constructor_RejectsEntriesThatAreNotHostsOrWildcards(string entry)
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => new EgressPolicy([entry]));

        StringAssert.Contains(error.Message, "*.example.com");
    }

    [TestMethod]
    public void AllowedHosts_AreNormalizedAndDeduplicated()
    {
        var policy = new EgressPolicy(["Registry.NPMJS.org.", "registry.npmjs.org", "*.Example.COM", "bücher.example"]);

        CollectionAssert.AreEqual(new[] { "registry.npmjs.org", "*.example.com", "xn--bcher-kva.example" }, policy.AllowedHosts.ToArray());
    }

    [TestMethod]
    [DataRow("127.1", "127.0.0.1")]
    [DataRow("0x7f.0.0.1", "127.0.0.1")]
    [DataRow("[::FFFF:127.0.0.1]", "::ffff:127.0.0.1")]
    [DataRow("Example.COM.", "example.com")]
    [DataRow("_service.example.com", "_service.example.com")]
    public void TryNormalize_GivesOneSpelling(string raw, string expected)
    {
        Assert.IsTrue(EgressHostName.TryNormalize(raw, out var normalized));
        Assert.AreEqual(expected, normalized);
    }

    [TestMethod]
    [DataRow("")]
    [DataRow(".")]
    [DataRow("a..b")]
    [DataRow("bad host")]
    [DataRow("host/path")]
    [DataRow("[10.0.0.1]")]
    [DataRow("[fe80::1%eth0]")]
    [DataRow("host:443")]
    public void TryNormalize_RejectsWhatIsNotAHost(string raw)
    {
        Assert.IsFalse(EgressHostName.TryNormalize(raw, out _));
    }
}
