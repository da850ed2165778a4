using System.Net.Sockets;

namespace CapaKit.Tool.Mesh;

/// <summary>Listening on and connecting to the mesh's unix sockets.</summary>
internal static class MeshSocket
{
    private const int Backlog = 512;

    /// <summary>Binds a listening socket at <paramref name="path"/> that only this user may connect to.</summary>
    public static Socket Listen(string path)
    {
        MeshPaths.Checked(path);
        if (File.Exists(path))
        {
            RemoveStale(path);
        }
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(path));
            // The folder is 0700 already; 0600 keeps the socket private even where a sandbox sees it through a bind mount.
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            listener.Listen(Backlog);
            return listener;
        }
        catch
        {
            listener.Dispose();
            throw;
        }
    }

    public static async Task<Socket> ConnectAsync(string path, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(timeout);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), deadline.Token).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Deletes a socket file left by an earlier run, but never one a live process still answers on.</summary>
    private static void RemoveStale(string path)
    {
        using (var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            try
            {
                probe.Connect(new UnixDomainSocketEndPoint(path));
            }
            catch (SocketException)
            {
                File.Delete(path);
                return;
            }
        }
        throw new IOException($"Another process is already listening on the mesh socket '{path}'; stop it or use another runtime folder.");
    }
}
