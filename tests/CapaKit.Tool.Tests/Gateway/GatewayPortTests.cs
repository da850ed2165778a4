using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using CapaKit.Tool.Gateway;
using Microsoft.Extensions.Logging.Abstractions;
using static CapaKit.Tool.Tests.Gateway.GatewayTestKits;

namespace CapaKit.Tool.Tests.Gateway;

/// <summary>Which port the gateway takes, and that it listens on 127.0.0.1 only.</summary>
[TestClass]
public sealed class GatewayPortTests
{
    [TestMethod]
    public void DefaultPort_IsStableForAFolder_AndDiffersForAnother()
    {
        var first = KitGateway.DefaultPort("/home/dev/kits/todo");

        Assert.AreEqual(first, KitGateway.DefaultPort("/home/dev/kits/todo"));
        Assert.AreEqual(first, KitGateway.DefaultPort("/home/dev/kits/todo/"));
        Assert.AreEqual(first, KitGateway.DefaultPort("/home/dev/kits/./todo"));
        Assert.AreNotEqual(first, KitGateway.DefaultPort("/home/dev/kits/hello"));
        Assert.IsTrue(new[] { "/a", "/b", "/home/dev/kits/todo", "/tmp/x" }.Select(KitGateway.DefaultPort).All(p => p is >= 20000 and <= 29999));
    }

    [TestMethod]
    public async Task DefaultPortTaken_FallsBackToTheNextFreeOne_AndSaysSo()
    {
        var directory = GatewayHarness.CreateTempDirectory();
        var preferred = KitGateway.DefaultPort(directory);
        using var squatter = TryListen(preferred); // if something else already holds it, it is taken either way

        await using var gateway = await KitGateway.StartAsync(Hello(directory), new GatewayOptions(), _ => null, NullLogger.Instance, CancellationToken.None);

        Assert.AreEqual(preferred, gateway.PreferredPort);
        Assert.AreNotEqual(preferred, gateway.Port);
        Assert.IsTrue(gateway.FellBackFromPreferredPort);
        Assert.IsTrue(gateway.Port is >= 20000 and <= 29999);
        using var client = new HttpClient { BaseAddress = gateway.BaseUri, Timeout = TimeSpan.FromSeconds(15) };
        using var response = await client.GetAsync("/mcp");
        Assert.AreEqual(HttpStatusCode.ServiceUnavailable, response.StatusCode, "the fallback port serves the Kit");
        Directory.Delete(directory);
    }

    [TestMethod]
    public async Task ExplicitPortTaken_FailsWithOneClearSentence()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;

        var error = await Assert.ThrowsExactlyAsync<CapaKitException>(() =>
            KitGateway.StartAsync(Hello(), new GatewayOptions(port), _ => null, NullLogger.Instance, CancellationToken.None));

        StringAssert.Contains(error.Message, port.ToString(CultureInfo.InvariantCulture));
        StringAssert.Contains(error.Message, "already in use");
        StringAssert.Contains(error.Message, "--port");
        Assert.DoesNotContain(". ", error.Message, "one sentence");
        StringAssert.EndsWith(error.Message, ".");
        Assert.AreEqual(ExitCodes.Usage, error.ExitCode);
    }

    [TestMethod]
    public async Task ListensOnLoopbackOnly()
    {
        await using var harness = await GatewayHarness.StartEchoingAsync(Todo());
        var port = harness.Gateway.Port;

        // What the kernel says is listening on that port: exactly 127.0.0.1, nothing on 0.0.0.0 or ::.
        var listeners = ListeningAddresses(port);
        Assert.AreSequenceEqual(["0100007F"], listeners);
        Assert.AreEqual("127.0.0.1", harness.Gateway.BaseUri.Host);
        Assert.IsTrue(harness.Gateway.Urls.All(u => u.Url.Host == "127.0.0.1"));

        // And the machine's other addresses do not answer on it.
        foreach (var address in LocalNonLoopbackAddresses())
        {
            using var probe = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            var connected = false;
            try
            {
                await probe.ConnectAsync(new IPEndPoint(address, port), timeout.Token);
                connected = true;
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                // Refused (or dropped): nothing listens there.
            }
            Assert.IsFalse(connected, $"the gateway answered on {address}");
        }
    }

    /// <summary>Local addresses (hex, as /proc/net/tcp* prints them) of sockets listening on <paramref name="port"/>.</summary>
    private static List<string> ListeningAddresses(int port)
    {
        const string listen = "0A";
        var suffix = ":" + port.ToString("X4", CultureInfo.InvariantCulture);
        var found = new List<string>();
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" }.Where(File.Exists))
        {
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length > 3 && fields[1].EndsWith(suffix, StringComparison.Ordinal) && fields[3] == listen)
                {
                    found.Add(fields[1][..^suffix.Length]);
                }
            }
        }
        return found;
    }

    private static IEnumerable<IPAddress> LocalNonLoopbackAddresses() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(i => i.OperationalStatus == OperationalStatus.Up)
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .Where(a => !IPAddress.IsLoopback(a) && a.AddressFamily is AddressFamily.InterNetwork && !a.IsIPv6LinkLocal);

    private static TcpListener? TryListen(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        try
        {
            listener.Start();
            return listener;
        }
        catch (SocketException)
        {
            return null;
        }
    }
}
