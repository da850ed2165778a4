using System.Buffers.Binary;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using CapaKit.Tool.Sandbox;
using Microsoft.Win32.SafeHandles;

namespace CapaKit.Tool.Ingress;

/// <summary>
/// Connects to a workload's ingress socket without trusting the file: the socket folder is bound read-write into
/// the workload's sandbox, so the workload can put a symlink there (to a sibling's secrets bridge, the Docker
/// socket, the user's D-Bus) or rename another socket onto the name. The runtime connects to the socket inode the
/// name holds, never through a link, and only keeps the connection when the listening process is in that workload's
/// sandbox.
/// </summary>
/// <remarks>
/// Only the last path component is the workload's to change: the folders above it are the runtime's, and the socket
/// folder itself is a mount point inside the sandbox, which cannot be replaced from there.
/// </remarks>
public static partial class IngressConnector
{
    /// <summary>
    /// A connected socket to the ingress at <paramref name="path"/>. Throws <see cref="SocketException"/> when nothing
    /// is there or nothing accepts (a workload starting or stopping), <see cref="IngressRefusedException"/> when
    /// what is there is not the workload's own (see the class remarks).
    /// </summary>
    /// <param name="sandboxProcessId">The sandbox the runtime started for the workload: the listener must be it or below it.</param>
    public static async Task<Socket> ConnectAsync(string workload, string path, int sandboxProcessId, CancellationToken ct)
    {
        if (!OperatingSystem.IsLinux())
        {
            return await ConnectPortableAsync(workload, path, ct).ConfigureAwait(false);
        }
        using var file = OpenSocketFile(workload, path);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            // The magic link names the inode this descriptor holds: the kernel connects to exactly that socket,
            // whatever the name points to by now.
            await socket.ConnectAsync(new UnixDomainSocketEndPoint($"/proc/self/fd/{file.DangerousGetHandle()}"), ct).ConfigureAwait(false);
            CheckListener(socket, workload, path, sandboxProcessId);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>O_PATH|O_NOFOLLOW: a handle on the entry itself (a link stays a link), with no read or write access.</summary>
    private static SafeFileHandle OpenSocketFile(string workload, string path)
    {
        var fd = OpenAt(AtFdCwd, path, OpenFlags.PathNoFollow);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            // Absent (not listening yet, or stopped) reads like a refused connect to the callers.
            throw new SocketException((int)(errno == Enoent ? SocketError.AddressNotAvailable : SocketError.AccessDenied),
                $"{path}: {Marshal.GetPInvokeErrorMessage(errno)}");
        }
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            var type = SandboxWrittenFiles.Stat(fd).Mode & FileTypeMask;
            if (type != SocketFile)
            {
                throw NotASocket(workload, path, type == SymbolicLink ? "a symbolic link" : "not a socket");
            }
            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// SO_PEERCRED holds who called listen() on the socket, in our pid and user namespaces: our own uid (the sandbox
    /// maps its user to ours) and a pid at or below the sandbox process.
    /// </summary>
    private static void CheckListener(Socket socket, string workload, string path, int sandboxProcessId)
    {
        Span<byte> credentials = stackalloc byte[12]; // struct ucred { pid_t pid; uid_t uid; gid_t gid; }
        int length;
        try
        {
            length = socket.GetRawSocketOption(SolSocket, SoPeerCred, credentials);
        }
        catch (SocketException e)
        {
            throw NotTheSandbox(workload, path, $"a process CapaKit cannot identify ({e.Message})");
        }
        var pid = BinaryPrimitives.ReadInt32LittleEndian(credentials);
        var uid = BinaryPrimitives.ReadUInt32LittleEndian(credentials[4..]);
        if (length < 12 || pid <= 0)
        {
            throw NotTheSandbox(workload, path, "a process CapaKit cannot identify");
        }
        if (uid != GetEffectiveUserId())
        {
            throw NotTheSandbox(workload, path, $"pid {pid} ({ProcessAncestry.NameOf(pid)}) of uid {uid}");
        }
        if (!ProcessAncestry.IsSelfOrDescendant(pid, sandboxProcessId))
        {
            throw NotTheSandbox(workload, path, $"pid {pid} ({ProcessAncestry.NameOf(pid)})");
        }
    }

    /// <summary>
    /// macOS keeps the connect by name, after an lstat that refuses a link: there is no O_PATH or /proc here, and the
    /// listener is not checked. Weaker than Linux: a workload that swaps the name between the check and the connect
    /// can still win that race, and its own secrets bridge renamed onto the name is not told apart.
    /// </summary>
    private static async Task<Socket> ConnectPortableAsync(string workload, string path, CancellationToken ct)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is not null)
        {
            throw NotASocket(workload, path, "a symbolic link");
        }
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), ct).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static IngressRefusedException NotASocket(string workload, string path, string what) =>
        new(workload, $"CAPA0550: The ingress of '{workload}' at {path} is {what}, so CapaKit will not connect through it; " +
            "find what in the workload replaces its ingress socket and remove that.");

    private static IngressRefusedException NotTheSandbox(string workload, string path, string who) =>
        new(workload, $"CAPA0551: The ingress of '{workload}' at {path} is served by {who}, not by the workload's sandbox, so CapaKit will not " +
            "send it requests; find what in the workload puts another socket at that name and remove that.");

    private const int AtFdCwd = -100;
    private const int Enoent = 2;
    private const int FileTypeMask = 0xF000;
    private const int SocketFile = 0xC000;
    private const int SymbolicLink = 0xA000;
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;

    /// <summary>open(2) flags; O_NOFOLLOW differs between x86-64 and arm64, O_PATH and O_CLOEXEC do not.</summary>
    private static class OpenFlags
    {
        private const int Path = 0x200000;
        private const int CloseOnExec = 0x80000;
        private static readonly int NoFollow = RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x8000 : 0x20000;

        public static int PathNoFollow => Path | NoFollow | CloseOnExec;
    }

    [LibraryImport("libc", EntryPoint = "openat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenAt(int dirFd, string path, int flags);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();
}
