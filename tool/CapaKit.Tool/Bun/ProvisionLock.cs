namespace CapaKit.Tool.Bun;

/// <summary>
/// An exclusive lock on a file in the version folder, so two installers (threads or processes) never share a staging folder.
/// .NET takes FileShare.None as flock(LOCK_EX) on Unix: the kernel drops it when the holder dies, so a crash never leaves it stuck.
/// </summary>
internal sealed class ProvisionLock : IDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);
    private readonly FileStream stream;

    private ProvisionLock(FileStream stream) => this.stream = stream;

    /// <param name="waiting">Called once when another holder makes us wait.</param>
    internal static async Task<ProvisionLock> AcquireAsync(string path, Action waiting, CancellationToken ct)
    {
        var told = false;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            try
            {
                return new ProvisionLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException)
            {
                if (!told)
                {
                    waiting();
                    told = true;
                }
                await Task.Delay(PollInterval, ct);
            }
        }
    }

    /// <summary>Closing the descriptor releases the lock; the file stays (deleting it would let a third installer lock a different inode).</summary>
    public void Dispose() => stream.Dispose();
}
