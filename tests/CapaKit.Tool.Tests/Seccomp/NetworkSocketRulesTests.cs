using System.Text.Json;
using CapaKit.Bundle;
using CapaKit.Tasks.Policies;
using CapaKit.Tool.Sandbox.Linux.Seccomp;

namespace CapaKit.Tool.Tests.Seccomp;

/// <summary>
/// The shipped socket rules of a phase with network (registry or full), compiled and loaded into the real kernel:
/// only AF_UNIX, AF_INET, AF_INET6 and AF_NETLINK's NETLINK_ROUTE open, inet only as TCP or UDP stream/datagram;
/// everything else gets the errno its rule names, never a socket. A control run without the filter shows that one
/// call of each rule reaches the kernel and gets another answer there, so each rule is what answers.
/// </summary>
[TestClass]
public sealed class NetworkSocketRulesTests
{
    private const int Eperm = 1, Eprotonosupport = 93, Esocktnosupport = 94, Eafnosupport = 97;
    private const int AfUnix = 1, AfInet = 2, AfInet6 = 10, AfNetlink = 16, AfPacket = 17;
    private const int SockStream = 1, SockDgram = 2, SockRaw = 3, SockSeqpacket = 5, SockDccp = 6, SockPacket = 10, Cloexec = 0x80000;

    private sealed record SocketCall(string Name, int Family, int Type, int Protocol);

    private static readonly SocketCall[] Allowed =
    [
        new("unix stream", AfUnix, SockStream, 0),
        new("tcp", AfInet, SockStream | Cloexec, 0),
        new("tcp by number", AfInet, SockStream, 6),
        new("udp6", AfInet6, SockDgram, 17),
        new("udp", AfInet, SockDgram, 0),
        new("netlink route (getifaddrs)", AfNetlink, SockRaw | Cloexec, 0),
        new("netlink route dgram", AfNetlink, SockDgram, 0),
    ];

    /// <summary>Each with the errno of the rule that answers it. The families are never asked for without the filter: some would load a kernel module.</summary>
    private static readonly (SocketCall Call, int Errno)[] Denied =
    [
        (new("AF_UNSPEC", 0, SockStream, 0), Eafnosupport),
        (new("AF_KEY", 15, SockRaw, 2), Eafnosupport),
        (new("AF_PACKET", AfPacket, SockRaw, 0x300), Eafnosupport),
        (new("AF_RDS", 21, 5, 0), Eafnosupport),
        (new("AF_CAN", 29, SockRaw, 1), Eafnosupport),
        (new("AF_TIPC", 30, SockRaw, 0), Eafnosupport),
        (new("AF_BLUETOOTH", 31, SockRaw, 0), Eafnosupport),
        (new("AF_ALG", 38, 5, 0), Eafnosupport),
        (new("AF_VSOCK", 40, SockStream, 0), Eafnosupport),
        (new("AF_QIPCRTR", 42, SockDgram, 0), Eafnosupport),
        (new("AF_SMC", 43, SockStream, 0), Eafnosupport),
        (new("AF_XDP", 44, SockRaw, 0), Eafnosupport),
        (new("family 1000", 1000, SockStream, 0), Eafnosupport),
        (new("netlink uevents", AfNetlink, SockDgram, 15), Eprotonosupport),
        (new("netlink sock_diag", AfNetlink, SockRaw, 4), Eprotonosupport),
        (new("netlink audit", AfNetlink, SockRaw, 9), Eprotonosupport),
        (new("raw tcp", AfInet, SockRaw, 6), Esocktnosupport),
        (new("raw ip6", AfInet6, SockRaw | Cloexec, 0), Esocktnosupport),
        (new("SOCK_PACKET", AfInet, SockPacket, 0), Esocktnosupport),
        (new("SCTP seqpacket", AfInet, SockSeqpacket, 0), Esocktnosupport),
        (new("DCCP", AfInet6, SockDccp, 0), Esocktnosupport),
        (new("SCTP stream", AfInet, SockStream, 132), Eprotonosupport),
        (new("DCCP by protocol", AfInet, SockStream, 33), Eprotonosupport),
        (new("L2TP/IP", AfInet, SockDgram, 115), Eprotonosupport),
        (new("UDP-Lite", AfInet6, SockDgram, 136), Eprotonosupport),
        (new("MPTCP", AfInet, SockStream, 262), Eprotonosupport),
        (new("ICMP echo", AfInet, SockDgram, 1), Eprotonosupport),
        (new("ICMPv6 echo", AfInet6, SockDgram, 58), Eprotonosupport),
    ];

    /// <summary>One call per rule group that reaches the kernel without the filter and gets a different answer there.</summary>
    private static readonly (SocketCall Call, int RuleErrno)[] ReachTheKernel =
    [
        (new("AF_PACKET", AfPacket, SockRaw, 0x300), Eafnosupport), // EPERM: no CAP_NET_RAW
        (new("netlink uevents", AfNetlink, SockDgram, 15), Eprotonosupport), // opens for anyone
        (new("raw tcp", AfInet, SockRaw, 6), Esocktnosupport), // EPERM: no CAP_NET_RAW
        (new("ICMP echo", AfInet, SockDgram, 1), Eprotonosupport), // EACCES outside ping_group_range, else opens
    ];

    [TestMethod]
    [DataRow(NetworkAccess.Registry)]
    [DataRow(NetworkAccess.Full)]
    public void ShippedNetworkPolicy_OpensOnlyTheAllowedSockets(string network)
    {
        using var filter = SeccompProgram.Compile(LinuxSeccompRules.For(network));
        var calls = Allowed.Concat(Denied.Select(d => d.Call)).ToArray();

        var filtered = Probe(filter, calls);
        var control = Probe(null, [.. ReachTheKernel.Select(r => r.Call)]);

        foreach (var call in Allowed)
        {
            Assert.IsGreaterThanOrEqualTo(0, filtered[call.Name], $"{call} must open under the filter");
        }
        foreach (var (call, errno) in Denied)
        {
            Assert.AreEqual(-errno, filtered[call.Name], $"{call} must get the rule's {ErrnoOf(errno)}");
        }
        foreach (var (call, ruleErrno) in ReachTheKernel)
        {
            Assert.AreNotEqual(-ruleErrno, control[call.Name], $"{call} without the filter must reach the kernel and get its own answer");
        }
    }

    /// <summary>A call both the type and the protocol rule match (raw ICMP) is refused by one of them.</summary>
    [TestMethod]
    public void ShippedNetworkPolicy_RefusesRawIcmpByTypeOrProtocol()
    {
        using var filter = SeccompProgram.Compile(LinuxSeccompRules.For(NetworkAccess.Full));
        var result = Probe(filter, [new("raw icmp", AfInet, SockRaw, 1), new("raw icmp6", AfInet6, SockRaw, 58)]);
        foreach (var (name, value) in result)
        {
            Assert.Contains(-value, new[] { Esocktnosupport, Eprotonosupport }, $"{name}: {value}");
        }
    }

    /// <summary>
    /// What a Bun program on the network does works under the filter: os.networkInterfaces() (getifaddrs over
    /// NETLINK_ROUTE), a TCP listener and a fetch to it, name lookup of localhost. All inside the sandbox's own
    /// network namespace: the listener is the probe's own.
    /// </summary>
    [TestMethod]
    public void ShippedNetworkPolicy_LetsBunUseTheNetwork()
    {
        using var filter = SeccompProgram.Compile(LinuxSeccompRules.For(NetworkAccess.Full));
        var probe = BunProbe.Command("""
            const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("pong") });
            const body = await (await fetch(`http://127.0.0.1:${server.port}/`)).text();
            server.stop(true);
            report({ interfaces: Object.keys(require("os").networkInterfaces()), body });
            """);

        var result = BwrapRunner.Run(filter, probe, dropCapabilities: true);
        var report = BunProbe.Report(result);

        Assert.Contains("lo", report.GetProperty("interfaces").EnumerateArray().Select(e => e.GetString()).ToList(), $"{result}");
        Assert.AreEqual("pong", report.GetProperty("body").GetString(), $"{result}");
    }

    private static Dictionary<string, int> Probe(SeccompProgram? filter, SocketCall[] calls)
    {
        var list = JsonSerializer.Serialize(calls.Select(c => new object[] { c.Name, c.Family, c.Type, c.Protocol }));
        var probe = BunProbe.Command($$"""
            const out = {};
            for (const [name, family, type, protocol] of {{list}}) {
              const fd = sys({{BunProbe.Socket}}, family, type, protocol);
              if (fd >= 0) sys({{BunProbe.Close}}, fd);
              out[name] = fd;
            }
            report(out);
            """);
        var result = BwrapRunner.Run(filter, probe, dropCapabilities: true);
        var report = BunProbe.Report(result);
        return calls.ToDictionary(c => c.Name, c => report.GetProperty(c.Name).GetInt32());
    }

    private static string ErrnoOf(int errno) => errno switch
    {
        Eperm => "EPERM",
        Eprotonosupport => "EPROTONOSUPPORT",
        Esocktnosupport => "ESOCKTNOSUPPORT",
        Eafnosupport => "EAFNOSUPPORT",
        _ => errno.ToString(),
    };
}
