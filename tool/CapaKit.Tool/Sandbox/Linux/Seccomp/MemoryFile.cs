using System.Runtime.InteropServices;

namespace CapaKit.Tool.Sandbox.Linux.Seccomp;

/// <summary>Anonymous in-memory files (memfd) that hold a BPF program on its way out of libseccomp and into bwrap.</summary>
internal static unsafe partial class MemoryFile
{
    private const uint MfdCloexec = 0x0001;
    private const uint MfdAllowSealing = 0x0002;
    private const int FAddSeals = 1033;
    private const int FSealSeal = 0x0001;
    private const int FSealShrink = 0x0002;
    private const int FSealGrow = 0x0004;
    private const int FSealWrite = 0x0008;
    private const int SeekSet = 0;
    private const int Eintr = 4;

    /// <summary>A close-on-exec memfd: private to this process.</summary>
    internal static int CreatePrivate(string name) => Create(name, MfdCloexec);

    /// <summary>
    /// A memfd that a spawned process inherits: no close-on-exec, content sealed so that no process which
    /// inherits it (bwrap, or a sibling spawned concurrently) can change the program, and the offset at 0
    /// because bwrap reads the program from the current offset to end of file.
    /// </summary>
    internal static int CreateInheritable(string name, ReadOnlySpan<byte> content)
    {
        var fd = Create(name, MfdAllowSealing);
        try
        {
            WriteAll(fd, content);
            if (Fcntl(fd, FAddSeals, FSealSeal | FSealShrink | FSealGrow | FSealWrite) < 0)
            {
                throw SeccompException.Io("seal the filter's memory file", Marshal.GetLastPInvokeError());
            }
            Rewind(fd);
            return fd;
        }
        catch
        {
            Close(fd);
            throw;
        }
    }

    internal static void Rewind(int fd)
    {
        if (Lseek(fd, 0, SeekSet) < 0)
        {
            throw SeccompException.Io("rewind the filter's memory file", Marshal.GetLastPInvokeError());
        }
    }

    internal static byte[] ReadAll(int fd)
    {
        using var buffer = new MemoryStream();
        Span<byte> chunk = stackalloc byte[8192];
        while (true)
        {
            nint n;
            fixed (byte* p = chunk)
            {
                n = Read(fd, p, (nuint)chunk.Length);
            }
            if (n == 0) return buffer.ToArray();
            if (n < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Eintr) continue;
                throw SeccompException.Io("read the exported filter back", errno);
            }
            buffer.Write(chunk[..(int)n]);
        }
    }

    internal static void Close(int fd) => CloseFd(fd);

    private static int Create(string name, uint flags)
    {
        var fd = MemfdCreate(name, flags);
        if (fd < 0)
        {
            throw SeccompException.Io("create a memory file for the filter", Marshal.GetLastPInvokeError());
        }
        return fd;
    }

    private static void WriteAll(int fd, ReadOnlySpan<byte> content)
    {
        while (!content.IsEmpty)
        {
            nint n;
            fixed (byte* p = content)
            {
                n = Write(fd, p, (nuint)content.Length);
            }
            if (n < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Eintr) continue;
                throw SeccompException.Io("write the filter to its memory file", errno);
            }
            content = content[(int)n..];
        }
    }

    [LibraryImport("libc", EntryPoint = "memfd_create", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MemfdCreate(string name, uint flags);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static partial nint Read(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static partial nint Write(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "lseek", SetLastError = true)]
    private static partial long Lseek(int fd, long offset, int whence);

    // fcntl is variadic in C; an int third argument is passed exactly like a fixed one on x86_64 and arm64 Linux.
    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int command, int argument);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int CloseFd(int fd);
}
