using System.Net.Sockets;
using System.Text;
using CapaKit.Tool.Mesh;

namespace CapaKit.Tool.Tests.Mesh;

/// <summary>Half-closes, timeouts and shutdown of the mesh's connections and sockets.</summary>
[TestClass]
public sealed class MeshLifecycleTests
{
    [TestMethod]
    public async Task AHalfCloseReachesTheIngressAndTheAnswerStillComesBack()
    {
        using var kit = MeshTestKit.WebApiOther();
        await using var mesh = await kit.StartMeshAsync();
        // Reads everything until the client has finished sending, then answers.
        await using var ingress = RawIngress.Start(kit.IngressPath("api"), async socket =>
        {
            var received = await UnixHttp.ReadToEndAsync(socket, TimeSpan.FromSeconds(10));
            await socket.SendAsync(Encoding.UTF8.GetBytes($"got {received.Length} bytes: {received}"));
            socket.Shutdown(SocketShutdown.Send);
        });
        using var client = await UnixHttp.ConnectAsync(mesh.ConnectionSocket("web", "api"));

        await client.SendAsync("hello"u8.ToArray());
        client.Shutdown(SocketShutdown.Send);
        var answer = await UnixHttp.ReadToEndAsync(client, TimeSpan.FromSeconds(10));

        Assert.AreEqual("got 5 bytes: hello", answer);
    }

    [TestMethod]
    public async Task APeerThatNeverFinishesItsHandshakeIsDropped()
    {
        using var kit = MeshTestKit.WebApiOther();
        await using var mesh = await kit.StartMeshAsync(MeshLimits.Default with { HandshakeTimeout = TimeSpan.FromMilliseconds(500) });
        using var stuck = await UnixHttp.ConnectAsync(mesh.InboundSockets["api"]);

        var read = await UnixHttp.ReadToEndAsync(stuck, TimeSpan.FromSeconds(10));

        Assert.AreEqual("", read);
        var refused = await MeshEvents.WaitForAsync(mesh, e => e.Kind == MeshEventKind.InboundRefused, "inbound refused");
        Assert.AreEqual("no TLS handshake in time", refused.Reason);
    }

    [TestMethod]
    public async Task DisposingClosesLiveConnectionsAndDeletesTheSockets()
    {
        using var kit = MeshTestKit.WebApiOther();
        var mesh = await kit.StartMeshAsync();
        // An ingress that echoes for as long as the connection lasts.
        await using var ingress = RawIngress.Start(kit.IngressPath("api"), async socket =>
        {
            var buffer = new byte[1024];
            int read;
            while ((read = await socket.ReceiveAsync(buffer)) > 0)
            {
                await socket.SendAsync(buffer.AsMemory(0, read));
            }
        });
        var sockets = new[] { mesh.ConnectionSocket("web", "api"), mesh.InboundSockets["api"] };
        using var client = await UnixHttp.ConnectAsync(sockets[0]);
        await client.SendAsync("ping"u8.ToArray());
        var echo = new byte[4];
        Assert.AreEqual(4, await client.ReceiveAsync(echo));

        await mesh.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(15));

        Assert.AreEqual("", await UnixHttp.ReadToEndAsync(client, TimeSpan.FromSeconds(5)), "the live connection is closed");
        foreach (var socket in sockets)
        {
            Assert.IsFalse(File.Exists(socket), socket);
        }
        Assert.IsFalse(Directory.Exists(MeshPaths.InboundFolder(kit.RuntimeDirectory)));
        Assert.AreEqual(0, Directory.EnumerateFileSystemEntries(kit.RuntimeDirectory).Count());
    }

    [TestMethod]
    public async Task TheRuntimeFolderHoldsOnlySocketsNeverKeys()
    {
        using var kit = MeshTestKit.WebApiOther();
        await using var mesh = await kit.StartMeshAsync();

        var files = Directory.EnumerateFiles(kit.RuntimeDirectory, "*", SearchOption.AllDirectories).Order().ToList();

        CollectionAssert.AreEquivalent(new[] { mesh.ConnectionSocket("web", "api"), mesh.InboundSockets["api"] }, files);
        Assert.AreEqual(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute,
            File.GetUnixFileMode(MeshPaths.InboundFolder(kit.RuntimeDirectory)));
        foreach (var file in files)
        {
            Assert.AreEqual(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file), file);
        }
    }
}
