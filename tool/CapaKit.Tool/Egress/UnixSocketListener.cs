using System.Net.Sockets;
using System.Text;

namespace CapaKit.Tool.Egress;

/// <summary>Binds the listening unix socket the sandbox reaches the proxy through.</summary>
internal static class UnixSocketListener
{
    // sockaddr_un.sun_path is 108 bytes on Linux (104 on macOS), including the terminating NUL.
    private const int MaxPathBytes = 103;
    private const int Backlog = 512;

    public static async Task<Socket> BindAsync(string path, CancellationToken cancellationToken)
    {
        var fullPath = Path.GetFullPath(path);
        var length = Encoding.UTF8.GetByteCount(fullPath);
        if (length > MaxPathBytes)
        {
            throw new ArgumentException(
                $"The egress socket path '{fullPath}' is {length} bytes, over the {MaxPathBytes}-byte limit of unix sockets; use a shorter runtime folder.",
                nameof(path));
        }

        Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
        if (File.Exists(fullPath))
        {
            await RemoveStaleSocketAsync(fullPath, cancellationToken).ConfigureAwait(false);
        }

        var endpoint = new UnixDomainSocketEndPoint(fullPath);
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(endpoint);

            // Only this user may connect; the sandbox reaches the socket through a bind mount as the same user.
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(fullPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            listener.Listen(Backlog);
            return listener;
        }
        catch
        {
            listener.Dispose();
            throw;
        }
    }

    /// <summary>Deletes a socket file left by an earlier run, but never one a live proxy still answers on.</summary>
    private static async Task RemoveStaleSocketAsync(string path, CancellationToken cancellationToken)
    {
        using (var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            try
            {
                await probe.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken).ConfigureAwait(false);
                throw new IOException($"Another process is already listening on the egress socket '{path}'; stop it or use another runtime folder.");
            }
            catch (SocketException)
            {
                // Nobody listens: a leftover from an earlier run.
            }
        }

        File.Delete(path);
    }
}
