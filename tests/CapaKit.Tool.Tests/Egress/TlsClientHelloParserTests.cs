using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using CapaKit.Tool.Egress;

namespace CapaKit.Tool.Tests.Egress;

[TestClass]
public sealed class TlsClientHelloParserTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [TestMethod]
    public void Parse_ReadsTheHostName()
    {
        var parse = TlsClientHelloParser.Parse(ClientHelloBytes.For("registry.npmjs.org"));

        Assert.AreEqual(ClientHelloParse.Complete("registry.npmjs.org"), parse);
    }

    [TestMethod]
    public void Parse_WithoutServerNameOrAnyExtension_IsCompleteWithNoName()
    {
        Assert.AreEqual(ClientHelloParse.Complete(null), TlsClientHelloParser.Parse(ClientHelloBytes.For(null)));

        byte[] noExtensions = [1, 0, 0, 73, 3, 3, .. new byte[32], 32, .. new byte[32], 0, 2, 0x13, 0x01, 1, 0];
        Assert.AreEqual(ClientHelloParse.Complete(null), TlsClientHelloParser.Parse(ClientHelloBytes.Record(noExtensions)));
    }

    [TestMethod]
    public void Parse_EveryStrictPrefix_NeedsMore()
    {
        var hello = ClientHelloBytes.For("registry.npmjs.org");

        for (var length = 0; length < hello.Length; length++)
        {
            Assert.AreEqual(ClientHelloStatus.NeedMore, TlsClientHelloParser.Parse(hello.AsSpan(0, length)).Status, $"prefix of {length} bytes");
        }
    }

    [TestMethod]
    public void Parse_BytesAfterTheClientHelloRecords_AreNotItsBusiness()
    {
        byte[] opening = [.. ClientHelloBytes.For("registry.npmjs.org"), .. ClientHelloBytes.Record([1, 2, 3], type: 23)];

        Assert.AreEqual(ClientHelloParse.Complete("registry.npmjs.org"), TlsClientHelloParser.Parse(opening));
    }

    [TestMethod]
    public void Parse_AClientHelloSplitOverRecords_IsJoined()
    {
        var handshake = ClientHelloBytes.Handshake([ClientHelloBytes.ServerName("registry.npmjs.org")]);
        byte[] opening = [.. ClientHelloBytes.Record(handshake[..2]), .. ClientHelloBytes.Record(handshake[2..50]), .. ClientHelloBytes.Record(handshake[50..])];

        Assert.AreEqual(ClientHelloParse.Complete("registry.npmjs.org"), TlsClientHelloParser.Parse(opening));
    }

    public static IEnumerable<object[]> Refused() =>
    [
        [ClientHelloBytes.Record(ClientHelloBytes.Handshake([ClientHelloBytes.ServerName("a.example"), ClientHelloBytes.ServerName("b.example")])), "two server_name extensions"],
        [ClientHelloBytes.Record(ClientHelloBytes.Handshake([ClientHelloBytes.ServerName("a.example", "b.example")])), "two host names"],
        [ClientHelloBytes.Record(ClientHelloBytes.Handshake([ClientHelloBytes.ServerName("a.exa\u00e9mple")])), "printable ASCII"],
        [ClientHelloBytes.Record(ClientHelloBytes.Handshake([ClientHelloBytes.ServerName("a\u0000.b.example")])), "printable ASCII"],
        [ClientHelloBytes.Record(ClientHelloBytes.Handshake([ClientHelloBytes.Extension(0, [])])), "server_name extension is malformed"],
        [ClientHelloBytes.Record(ClientHelloBytes.Handshake([ClientHelloBytes.ServerName("a.example")], trailing: [0])), "extensions are malformed"],
        [ClientHelloBytes.Record([.. ClientHelloBytes.Handshake([ClientHelloBytes.ServerName("a.example")]), 2, 0, 0, 0]), "another handshake message"],
        [ClientHelloBytes.Record([2, 0, 0, 0]), "not a ClientHello"],
        [ClientHelloBytes.Record([1, 2, 3], type: 23), "does not start with a TLS handshake"],
        [(byte[])[.. ClientHelloBytes.Record(ClientHelloBytes.Handshake([ClientHelloBytes.ServerName("a.example")])[..10]), .. ClientHelloBytes.Record([1], type: 21)], "interrupts the ClientHello"],
        [(byte[])[22, 3, 1, 0x40, 0x01], "record header is malformed"],
        [(byte[])[22, 9, 1, 0, 4], "record header is malformed"],
        [ClientHelloBytes.Record([1, 0x01, 0, 0]), "larger than 32 KiB"],
        [System.Text.Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\n\r\n"), "does not start with a TLS handshake"],
    ];

    public static string RefusalName(System.Reflection.MethodInfo method, object[] data) => $"{method.Name} ({data[1]})";

    [TestMethod]
    [DynamicData(nameof(Refused), DynamicDataDisplayName = nameof(RefusalName))]
    public void Parse_RefusesWhatIsAmbiguousOrMalformed(byte[] opening, string problem)
    {
        var parse = TlsClientHelloParser.Parse(opening);

        Assert.AreEqual(ClientHelloStatus.Invalid, parse.Status);
        StringAssert.Contains(parse.Problem, problem);
    }

    [TestMethod]
    public void Parse_AnOpeningThatNeverCompletes_IsRefusedAtTheCap()
    {
        // A first record announcing a huge ClientHello, followed by record after record of it.
        var fragment = new byte[16 * 1024];
        byte[] first = [1, 0, 0x70, 0, .. new byte[100]];
        var opening = ClientHelloBytes.Record(first).Concat(Enumerable.Repeat(ClientHelloBytes.Record(fragment), 2).SelectMany(r => r)).ToArray();

        Assert.AreEqual(ClientHelloStatus.Invalid, TlsClientHelloParser.Parse(opening).Status);
    }

    [TestMethod]
    public async Task Parse_ReadsDotNetsRealClientHello()
    {
        var opening = await CaptureOpeningAsync(async port =>
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(IPAddress.Loopback, port);
            await using var tls = new SslStream(tcp.GetStream());
            try
            {
                await tls.AuthenticateAsClientAsync("registry.npmjs.org");
            }
            catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException)
            {
                // The capturing listener never answers.
            }
        });

        Assert.AreEqual(ClientHelloParse.Complete("registry.npmjs.org"), TlsClientHelloParser.Parse(opening));
    }

    [TestMethod]
    public async Task Parse_ReadsBunsRealClientHello()
    {
        // Bun is the install client: its BoringSSL ClientHello (GREASE, post-quantum key shares) must parse.
        var opening = await CaptureOpeningAsync(async port =>
        {
            var start = new ProcessStartInfo(BunForTests.Executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in new[] { "-e", $$"""
                const tls = require("node:tls");
                const socket = tls.connect({ host: "127.0.0.1", port: {{port}}, servername: "registry.npmjs.org", rejectUnauthorized: false });
                socket.on("error", () => process.exit(0));
                socket.on("close", () => process.exit(0));
                """ })
            {
                start.ArgumentList.Add(argument);
            }

            using var bun = Process.Start(start)!;
            await bun.WaitForExitAsync().WaitAsync(Patience);
        });

        Assert.AreEqual(ClientHelloParse.Complete("registry.npmjs.org"), TlsClientHelloParser.Parse(opening));
    }

    /// <summary>Runs <paramref name="client"/> against a loopback listener and returns its first bytes, up to a whole ClientHello; then closes.</summary>
    private static async Task<byte[]> CaptureOpeningAsync(Func<int, Task> client)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var running = client(((IPEndPoint)listener.LocalEndpoint).Port);
            byte[] opening;
            using (var accepted = await listener.AcceptTcpClientAsync().WaitAsync(Patience))
            {
                var stream = accepted.GetStream();
                var buffer = new MemoryStream();
                var chunk = new byte[4096];
                while (TlsClientHelloParser.Parse(buffer.ToArray()).Status == ClientHelloStatus.NeedMore)
                {
                    var read = await stream.ReadAsync(chunk).AsTask().WaitAsync(Patience);
                    if (read == 0)
                    {
                        break;
                    }

                    buffer.Write(chunk, 0, read);
                }

                opening = buffer.ToArray();
            }

            await running.WaitAsync(Patience);
            return opening;
        }
        finally
        {
            listener.Stop();
        }
    }
}
