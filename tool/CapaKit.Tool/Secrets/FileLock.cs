namespace CapaKit.Tool.Secrets;

/// <summary>
/// An exclusive advisory lock on a file beside the data it guards. .NET takes an flock(2) for
/// <see cref="FileShare.None"/> on Unix, which is released when the process dies, so a crash never leaves it held.
/// </summary>
internal sealed class FileLock : IDisposable
{
    private readonly FileStream _stream;

    private FileLock(FileStream stream) => _stream = stream;

    public static FileLock Acquire(string path, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var delay = 5;
        while (true)
        {
            try
            {
                return new FileLock(new FileStream(path, new FileStreamOptions
                {
                    Mode = FileMode.OpenOrCreate,
                    Access = FileAccess.ReadWrite,
                    Share = FileShare.None,
                    UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                }));
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                // Another writer holds it: writes take milliseconds, so wait a little and try again.
                Thread.Sleep(delay);
                delay = Math.Min(delay * 2, 100);
            }
            catch (IOException)
            {
                throw new CapaKitException(ExitCodes.Tool,
                    $"Another process has held {path} for {timeout.TotalSeconds:0} seconds; wait for it to finish (or end it) and run again.");
            }
        }
    }

    public void Dispose() => _stream.Dispose();
}
