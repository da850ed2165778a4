using System.Diagnostics;
using System.Net.Sockets;
using CapaKit.Tool.Ingress;
using CapaKit.Tool.Tests.Mesh;
using CapaKit.Tool.Tests.Runtime;
using CapaKit.Tool.Tests.Support;

namespace CapaKit.Tool.Tests.Ingress;

/// <summary>
/// <see cref="IngressConnector"/> on real sockets and processes of this machine: what it connects to, what it refuses
/// before connecting (not a socket), and what it refuses after (a listener outside the given process's tree).
/// </summary>
[TestClass]
public sealed class IngressConnectorTests
{
    private string _folder = "";

    [TestInitialize]
    public void CreateFolder() => _folder = Directory.CreateDirectory(Path.Combine("/tmp", "ic-" + Guid.NewGuid().ToString("N")[..8])).FullName;

    [TestCleanup]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    private string PathOf(string name) => Path.Combine(_folder, name);

    [TestMethod]
    public async Task ConnectsToASocketThisProcessListensOn()
    {
        await using var listener = RawIngress.Hello(PathOf("in.sock"));

        using var socket = await IngressConnector.ConnectAsync("api", listener.Path, Environment.ProcessId, CancellationToken.None);

        await socket.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray());
        StringAssert.EndsWith(await UnixHttp.ReadToEndAsync(socket, TimeSpan.FromSeconds(10)), "hello");
    }

    [TestMethod]
    public async Task ALinkIsRefusedWithoutConnectingToWhereItPoints()
    {
        await using var target = RawIngress.Hello(PathOf("target.sock"));
        File.CreateSymbolicLink(PathOf("in.sock"), target.Path);

        var refused = await Assert.ThrowsExactlyAsync<IngressRefusedException>(
            () => IngressConnector.ConnectAsync("api", PathOf("in.sock"), Environment.ProcessId, CancellationToken.None));

        StringAssert.StartsWith(refused.Message, $"CAPA0550: The ingress of 'api' at {PathOf("in.sock")} is a symbolic link");
        using (await UnixHttp.ConnectAsync(target.Path))
        {
        }
        Assert.IsTrue(Poll.Until(() => target.Accepted == 1, TimeSpan.FromSeconds(10)), "only the test's own connection reached the target");
    }

    [TestMethod]
    public async Task AFileOrAFifoIsRefusedAndAMissingSocketIsNotListening()
    {
        File.WriteAllText(PathOf("file"), "");
        TestMachine.Run("mkfifo", PathOf("fifo"));

        foreach (var name in new[] { "file", "fifo" })
        {
            var refused = await Assert.ThrowsExactlyAsync<IngressRefusedException>(
                () => IngressConnector.ConnectAsync("api", PathOf(name), Environment.ProcessId, CancellationToken.None));
            StringAssert.Contains(refused.Message, "is not a socket");
        }
        await Assert.ThrowsAsync<SocketException>(() => IngressConnector.ConnectAsync("api", PathOf("missing"), Environment.ProcessId, CancellationToken.None));
    }

    [TestMethod]
    public async Task AListenerOutsideTheGivenProcessTreeIsRefusedAfterConnecting()
    {
        // This process listens; the "sandbox" is a child of it, so the listener is its parent, not its descendant.
        await using var listener = RawIngress.Hello(PathOf("in.sock"));
        using var sandbox = Process.Start("/bin/sleep", "60");
        try
        {
            var refused = await Assert.ThrowsExactlyAsync<IngressRefusedException>(
                () => IngressConnector.ConnectAsync("api", listener.Path, sandbox.Id, CancellationToken.None));
            StringAssert.StartsWith(refused.Message, $"CAPA0551: The ingress of 'api' at {listener.Path} is served by pid {Environment.ProcessId} ");
        }
        finally
        {
            sandbox.Kill();
        }
    }

    [TestMethod]
    public async Task AListenerBelowTheGivenProcessIsAccepted()
    {
        // sh (the "sandbox") → bun listening, as bwrap → the workload's command.
        var path = PathOf("in.sock");
        var script = $"require('net').createServer(s => s.end('hi')).listen({System.Text.Json.JsonSerializer.Serialize(path)})";
        using var sandbox = Process.Start("/bin/sh", ["-c", $"\"$0\" -e \"$1\"; exit 0", TestMachine.Bun, script]);
        try
        {
            Assert.IsTrue(Poll.Until(() => Accepts(path), TimeSpan.FromSeconds(30)), "bun did not listen");

            using var socket = await IngressConnector.ConnectAsync("api", path, sandbox.Id, CancellationToken.None);

            Assert.AreEqual("hi", await UnixHttp.ReadToEndAsync(socket, TimeSpan.FromSeconds(10)));
        }
        finally
        {
            sandbox.Kill(entireProcessTree: true);
        }
    }

    [TestMethod]
    public async Task AListenerOfAnotherUserIsRefusedEvenBelowTheGivenProcess()
    {
        // SO_PEERCRED's uid is fixed when the socket listens, so a recycled pid cannot pass for the sandbox's: a
        // sandbox's processes all run as the caller (its user namespace maps to ours). Here the "sandbox" (sh, root)
        // starts bun as the test user, in a folder that user may write.
        File.SetUnixFileMode(_folder, (UnixFileMode)0b111_111_111);
        var path = PathOf("in.sock");
        var script = $"require('net').createServer(s => s.end('hi')).listen({System.Text.Json.JsonSerializer.Serialize(path)}, () => require('fs').chmodSync({System.Text.Json.JsonSerializer.Serialize(path)}, 0o777))";
        using var sandbox = Process.Start("/bin/sh", ["-c", "/usr/sbin/runuser -u \"$0\" -- \"$1\" -e \"$2\"; exit 0", TestMachine.UserName, TestMachine.Bun, script]);
        try
        {
            Assert.IsTrue(Poll.Until(() => Accepts(path), TimeSpan.FromSeconds(30)), "bun did not listen");

            var refused = await Assert.ThrowsExactlyAsync<IngressRefusedException>(
                () => IngressConnector.ConnectAsync("api", path, sandbox.Id, CancellationToken.None));

            StringAssert.StartsWith(refused.Message, "CAPA0551: The ingress of 'api'");
            StringAssert.Contains(refused.Message, $"(bun) of uid {UserId()}, not by the workload's sandbox");
        }
        finally
        {
            sandbox.Kill(entireProcessTree: true);
        }
    }

    private static uint UserId() =>
        uint.Parse(File.ReadAllLines("/etc/passwd").First(l => l.StartsWith(TestMachine.UserName + ":", StringComparison.Ordinal)).Split(':')[2]);

    private static bool Accepts(string path)
    {
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
