using System.Net;
using CapaKit.Tool.Egress;

namespace CapaKit.Tool.Tests.Egress;

[TestClass]
public sealed class NonPublicAddressRangesTests
{
    [TestMethod]
    [DataRow("127.0.0.1", "loopback")]
    [DataRow("127.255.255.254", "loopback")]
    [DataRow("10.0.0.1", "private")]
    [DataRow("10.255.255.255", "private")]
    [DataRow("172.16.0.1", "private")]
    [DataRow("172.31.255.255", "private")]
    [DataRow("192.168.1.1", "private")]
    [DataRow("169.254.169.254", "link-local")]
    [DataRow("100.64.0.1", "carrier-grade NAT")]
    [DataRow("100.127.255.255", "carrier-grade NAT")]
    [DataRow("0.0.0.0", "unspecified")]
    [DataRow("0.1.2.3", "unspecified")]
    [DataRow("224.0.0.1", "multicast")]
    [DataRow("239.255.255.250", "multicast")]
    [DataRow("255.255.255.255", "broadcast")]
    [DataRow("240.0.0.1", "reserved")]
    [DataRow("198.18.0.1", "benchmarking")]
    [DataRow("::", "unspecified")]
    [DataRow("::1", "loopback")]
    [DataRow("::ffff:127.0.0.1", "loopback")]
    [DataRow("::ffff:10.1.2.3", "private")]
    [DataRow("::ffff:169.254.169.254", "link-local")]
    [DataRow("::127.0.0.1", "IPv4-compatible")]
    [DataRow("fc00::1", "unique local")]
    [DataRow("fd12:3456:789a::1", "unique local")]
    [DataRow("fe80::1", "link-local")]
    [DataRow("febf:ffff::1", "link-local")]
    [DataRow("fec0::1", "site-local")]
    [DataRow("ff02::1", "multicast")]
    [DataRow("ff05::2", "multicast")]
    [DataRow("64:ff9b::7f00:1", "loopback")]
    [DataRow("64:ff9b::a00:1", "private")]
    [DataRow("64:ff9b:1::1", "NAT64")]
    [DataRow("2002:7f00:1::1", "loopback")]
    [DataRow("2002:c0a8:101::1", "private")]
    [DataRow("2001::1", "Teredo")]
    [DataRow("100::1", "discard")]
    [DataRow("4000::1", "reserved")]
    public void TryMatch_ClassifiesNonPublicAddresses(string address, string expectedRange)
    {
        Assert.IsTrue(NonPublicAddressRanges.TryMatch(IPAddress.Parse(address), out var range), address);
        StringAssert.Contains(range, expectedRange);
    }

    [TestMethod]
    [DataRow("8.8.8.8")]
    [DataRow("203.0.113.7")]
    [DataRow("192.0.2.10")]
    [DataRow("2001:db8::1")]
    [DataRow("1.1.1.1")]
    [DataRow("104.16.1.35")]
    [DataRow("172.15.255.255")]
    [DataRow("172.32.0.0")]
    [DataRow("100.63.255.255")]
    [DataRow("100.128.0.0")]
    [DataRow("192.169.0.1")]
    [DataRow("169.253.255.255")]
    [DataRow("223.255.255.255")]
    [DataRow("11.0.0.0")]
    [DataRow("2606:4700::6810:123")]
    [DataRow("2a00:1450:4001::200e")]
    [DataRow("2001:4860:4860::8888")]
    [DataRow("::ffff:8.8.8.8")]
    [DataRow("64:ff9b::808:808")]
    [DataRow("2002:808:808::1")]
    public void TryMatch_LeavesPublicAddressesAlone(string address)
    {
        Assert.IsFalse(NonPublicAddressRanges.TryMatch(IPAddress.Parse(address), out var range), $"{address} classified as {range}");
    }
}
