using System.Net;
using System.Net.Sockets;
using CapaKit.Tool.Tests.Support;
using static CapaKit.Tool.Tests.Hostile.HostileKit;

namespace CapaKit.Tool.Tests.Hostile;

/// <summary>
/// A hostile workload in a phase without network tries to reach out anyway; in a phase with network it goes for the
/// socket kinds that phase still refuses. Every listener here is one the test
/// starts itself on 127.0.0.1 or as a unix socket, and the test checks afterwards that nothing arrived; no attack
/// ever targets any other address.
/// </summary>
[TestClass]
public sealed class NetworkAttackTests
{
    private const int AfInet = 2, AfInet6 = 10, AfNetlink = 16, AfPacket = 17, AfVsock = 40;
    private const int SockStream = 1, SockDgram = 2, SockRaw = 3, SockPacket = 10;

    [ClassInitialize]
    public static void BuildKits(TestContext _)
    {
        For(RunAs.Root);
        For(RunAs.User);
    }

    // Guards: seccomp (socket() of any family but AF_UNIX -> EPERM) and the network namespace (the host's
    // loopback is not the sandbox's).
    [TestMethod]
    [DataRow(RunAs.Root)]
    [DataRow(RunAs.User)]
    public void ConnectToAHostTcpPort(RunAs who)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var verdict = For(who).Attack(BunScript("tcp-connect.ts", port.ToString()));
            StringAssert.Contains(verdict, "socket(AF_INET): EPERM");
            Assert.IsFalse(listener.Pending(), "a connection reached the host's listener");
        }
        finally
        {
            listener.Stop();
        }
    }

    // Guards: seccomp (no AF_INET socket) and the network namespace.
    [TestMethod]
    [DataRow(RunAs.Root)]
    [DataRow(RunAs.User)]
    public void SendUdpToTheHost(RunAs who)
    {
        using var receiver = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)receiver.Client.LocalEndPoint!).Port;
        For(who).Attack(BunScript("udp-send.ts", port.ToString()));
        Assert.AreEqual(0, receiver.Available, "a datagram reached the host");
    }

    // Guards: bind layout (no resolv.conf, no hosts file without network), seccomp (no AF_INET socket to ask
    // any server) and the network namespace. The "DNS server" is the test's own UDP port on 127.0.0.1.
    [TestMethod]
    [DataRow(RunAs.Root)]
    [DataRow(RunAs.User)]
    public void ResolveNames(RunAs who)
    {
        using var fakeDns = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)fakeDns.Client.LocalEndPoint!).Port;
        var verdict = For(who).Attack(BunScript("dns.ts", port.ToString()));
        StringAssert.Contains(verdict, "resolv.conf absent");
        Assert.AreEqual(0, fakeDns.Available, "a query reached the test's DNS port");
    }

    // Guards: seccomp (socket family) and --cap-drop ALL (raw sockets need CAP_NET_RAW). Nothing is sent.
    [TestMethod]
    [DataRow(RunAs.Root)]
    [DataRow(RunAs.User)]
    public void OpenRawIcmpSockets(RunAs who)
    {
        var verdict = For(who).Attack(Sockets((AfInet, SockRaw, 1), (AfInet, SockDgram, 1), (AfInet6, SockRaw, 58)));
        StringAssert.Contains(verdict, "socket(2, 3, 1): EPERM");
    }

    // Guard: seccomp (socket family; routing and uevent netlink would otherwise open: NETLINK_ROUTE needs no privilege).
    [TestMethod]
    [DataRow(RunAs.Root)]
    [DataRow(RunAs.User)]
    public void OpenNetlinkSockets(RunAs who)
    {
        var verdict = For(who).Attack(Sockets((AfNetlink, SockRaw, 0), (AfNetlink, SockDgram, 0), (AfNetlink, SockRaw, 15)));
        StringAssert.Contains(verdict, "socket(16, 3, 0): EPERM");
    }

    // Guard: seccomp (socket family). vsock is not namespaced: it reaches the hypervisor host (this machine has it).
    [TestMethod]
    [DataRow(RunAs.Root)]
    [DataRow(RunAs.User)]
    public void OpenVsockSockets(RunAs who)
    {
        var verdict = For(who).Attack(Sockets((AfVsock, SockStream, 0), (AfVsock, SockDgram, 0)));
        StringAssert.Contains(verdict, "socket(40, 1, 0): EPERM");
    }

    // Guards: seccomp (socket family, and SOCK_PACKET) and --cap-drop ALL (CAP_NET_RAW).
    [TestMethod]
    [DataRow(RunAs.Root)]
    [DataRow(RunAs.User)]
    public void OpenPacketSockets(RunAs who)
    {
        var verdict = For(who).Attack(Sockets((AfPacket, SockRaw, 0x300), (AfPacket, SockDgram, 0x300), (AfInet, SockPacket, 0x300)));
        StringAssert.Contains(verdict, "socket(17, 3, 768): EPERM");
    }

    // Guard: seccomp (io_uring_setup -> EPERM): a ring's requests would open sockets and files past the socket rule.
    [TestMethod]
    [DynamicData(nameof(EveryPhase), typeof(HostileKit))]
    public void SetUpIoUring(RunAs who, string phase)
    {
        StringAssert.Contains(For(who).AttackIn(phase, BunScript("io-uring.ts")), "EPERM");
    }

    // Guard: bind layout: a host unix socket (here a stand-in for /var/run/docker.sock, open to everyone) is not
    // bound, so its path does not exist inside. Only sockets the runtime declares are bound.
    [TestMethod]
    [DataRow(RunAs.Root)]
    [DataRow(RunAs.User)]
    public void ConnectToAHostUnixSocket(RunAs who)
    {
        var kit = For(who);
        var path = Path.Combine(kit.Outside, $"docker-{Guid.NewGuid().ToString("N")[..8]}.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen();
        File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32("777", 8)); // anyone may connect on the host
        try
        {
            var verdict = kit.Attack(BunScript("unix-connect.ts", path));
            StringAssert.Contains(verdict, "ENOENT");
            Assert.IsFalse(listener.Poll(0, SelectMode.SelectRead), "a connection reached the host's unix socket");
        }
        finally
        {
            File.Delete(path);
        }
    }

    // Guard: the network namespace: abstract unix socket names belong to a network namespace, so the host's are
    // not reachable (ECONNREFUSED), though AF_UNIX itself is allowed.
    [TestMethod]
    [DataRow(RunAs.Root)]
    [DataRow(RunAs.User)]
    public void ConnectToAHostAbstractSocket(RunAs who)
    {
        var name = $"capakit-hostile-{Guid.NewGuid():N}";
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint("\0" + name));
        listener.Listen();
        var verdict = For(who).Attack(BunScript("unix-connect.ts", "@" + name));
        StringAssert.Contains(verdict, "ECONNREFUSED");
        Assert.IsFalse(listener.Poll(0, SelectMode.SelectRead), "a connection reached the host's abstract socket");
    }

    // Guard: seccomp in the phases with network (registry, full): only AF_UNIX, AF_INET, AF_INET6 and NETLINK_ROUTE
    // sockets, inet only as TCP or UDP. Each kind gets its rule's errno, which the kernel would not give here (it
    // answers EPERM for packet and raw sockets, opens vsock, uevent netlink and, in ping_group_range, ICMP echo):
    // EAFNOSUPPORT for a family, EPROTONOSUPPORT for a netlink or inet protocol, ESOCKTNOSUPPORT for an inet type.
    [TestMethod]
    [DynamicData(nameof(NetworkPhases), typeof(HostileKit))]
    public void OpenSocketsOutsideTheAllowListWithNetwork(RunAs who, string phase)
    {
        const int afKey = 15, afRds = 21, afCan = 29, afTipc = 30, afBluetooth = 31, afAlg = 38, afXdp = 44, sockSeqpacket = 5, sockDccp = 6;
        (int Family, int Type, int Protocol, string Errno)[] refused =
        [
            (AfPacket, SockRaw, 0x300, "EAFNOSUPPORT"), (AfVsock, SockStream, 0, "EAFNOSUPPORT"), (afAlg, sockSeqpacket, 0, "EAFNOSUPPORT"),
            (afKey, SockRaw, 2, "EAFNOSUPPORT"), (afTipc, SockRaw, 0, "EAFNOSUPPORT"), (afRds, sockSeqpacket, 0, "EAFNOSUPPORT"),
            (afCan, SockRaw, 1, "EAFNOSUPPORT"), (afBluetooth, SockRaw, 0, "EAFNOSUPPORT"), (afXdp, SockRaw, 0, "EAFNOSUPPORT"),
            (AfNetlink, SockDgram, 15, "EPROTONOSUPPORT"), (AfNetlink, SockRaw, 4, "EPROTONOSUPPORT"),
            (AfInet, SockRaw, 6, "ESOCKTNOSUPPORT"), (AfInet6, SockRaw, 0, "ESOCKTNOSUPPORT"), (AfInet, SockPacket, 0, "ESOCKTNOSUPPORT"),
            (AfInet, sockSeqpacket, 0, "ESOCKTNOSUPPORT"), (AfInet6, sockDccp, 0, "ESOCKTNOSUPPORT"),
            (AfInet, SockStream, 132, "EPROTONOSUPPORT"), (AfInet, SockStream, 33, "EPROTONOSUPPORT"), (AfInet, SockDgram, 1, "EPROTONOSUPPORT"),
        ];

        var verdict = For(who).AttackIn(phase, Sockets([.. refused.Select(r => (r.Family, r.Type, r.Protocol))]));

        foreach (var (family, type, protocol, errno) in refused)
        {
            StringAssert.Contains(verdict, $"socket({family}, {type}, {protocol}): {errno}", verdict);
        }
    }

    // What the allow list keeps: os.networkInterfaces() (getifaddrs over NETLINK_ROUTE), which the old rule against
    // every SOCK_RAW socket broke.
    [TestMethod]
    [DynamicData(nameof(NetworkPhases), typeof(HostileKit))]
    public void ListNetworkInterfacesWithNetwork(RunAs who, string phase)
    {
        var result = For(who).ExecIn(phase, ["bun", "-e", "console.log('interfaces ' + Object.keys(require('os').networkInterfaces()).join(','))"]);

        Assert.AreEqual(0, result.ExitCode, result.ToString());
        StringAssert.Matches(result.StandardOutput, new System.Text.RegularExpressions.Regex(@"interfaces (.+,)?lo(,|\s)"), result.ToString());
    }

    /// <summary>`bun attacks/socket.ts family type protocol ...`: opens each socket, sends nothing.</summary>
    private static string[] Sockets(params (int Family, int Type, int Protocol)[] sockets) =>
        BunScript("socket.ts", [.. sockets.SelectMany(s => new[] { s.Family, s.Type, s.Protocol }).Select(n => n.ToString())]);
}
