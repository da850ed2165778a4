namespace CapaKit.Tool.Secrets;

/// <summary>
/// One Kit's secrets in the .NET user-secrets store (<c>$HOME/.microsoft/usersecrets/&lt;UserSecretsId&gt;/secrets.json</c>),
/// the same file `dotnet user-secrets` reads and writes. Writes are atomic (temp file and rename, mode 0600 in a
/// 0700 folder) and serialised by a lock file so concurrent writers never lose each other's updates. Reads see
/// changes made while a Kit runs: the file is re-read whenever its timestamp or size changes.
/// </summary>
public sealed class UserSecretsStore : ISecretSource
{
    private const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode FileMode600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(10);

    private readonly Lock _cacheLock = new();
    private (DateTime WriteTime, long Length)? _cachedStamp;
    private OrderedDictionary<string, string> _cached = new(StringComparer.OrdinalIgnoreCase);

    /// <param name="userSecretsId">The Kit project's UserSecretsId.</param>
    /// <param name="root">The folder holding one folder per id; default <see cref="UserSecretsPaths.Root"/>.</param>
    public UserSecretsStore(string userSecretsId, string? root = null)
    {
        UserSecretsId = userSecretsId;
        FilePath = UserSecretsPaths.SecretsFile(root ?? UserSecretsPaths.Root(), userSecretsId);
    }

    public string UserSecretsId { get; }

    /// <summary>The secrets.json file (it need not exist yet).</summary>
    public string FilePath { get; }

    private string Folder => Path.GetDirectoryName(FilePath)!;

    private string LockPath => FilePath + ".lock";

    /// <summary>The value of <paramref name="name"/> (case-insensitive, like configuration keys); null when there is none.</summary>
    public string? Get(string name) => Snapshot().TryGetValue(name, out var value) ? value : null;

    /// <summary>An empty value counts as no value: nobody means to hand a workload an empty token.</summary>
    public bool TryGet(string name, out string value)
    {
        value = Get(name) ?? "";
        return value.Length > 0;
    }

    /// <summary>Names of every key in the file, flattened (<c>outer:inner</c>), in file order.</summary>
    public IReadOnlyList<string> List() => [.. Snapshot().Keys];

    public void Set(string name, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        Update(values =>
        {
            // Replace in place (keeping the file's order); a key differing only in case is the same key.
            var index = values.IndexOf(name);
            if (index >= 0)
            {
                values.RemoveAt(index);
                values.Insert(index, name, value);
            }
            else
            {
                values.Add(name, value);
            }
            return true;
        });
    }

    /// <summary>Removes <paramref name="name"/>; false when it had no entry.</summary>
    public bool Remove(string name)
    {
        if (!File.Exists(FilePath))
        {
            return false; // Nothing to remove; do not create an empty store for it.
        }
        var removed = false;
        Update(values => removed = values.Remove(name));
        return removed;
    }

    private void Update(Func<OrderedDictionary<string, string>, bool> change)
    {
        Directory.CreateDirectory(Folder, FolderMode);
        TightenFolder();
        using (FileLock.Acquire(LockPath, LockTimeout))
        {
            // Re-read under the lock: another writer may have changed the file since our last look.
            var values = ReadFile(out _);
            if (!change(values))
            {
                return;
            }
            var temp = Path.Combine(Folder, $".{UserSecretsPaths.FileName}.{Guid.NewGuid():N}.tmp");
            try
            {
                using (var stream = new FileStream(temp, new FileStreamOptions
                {
                    Mode = FileMode.CreateNew,
                    Access = FileAccess.Write,
                    Share = FileShare.None,
                    UnixCreateMode = FileMode600,
                }))
                {
                    stream.Write(UserSecretsJson.Serialize(values));
                    stream.Flush(flushToDisk: true);
                }
                File.Move(temp, FilePath, overwrite: true);
            }
            finally
            {
                File.Delete(temp);
            }
        }
    }

    /// <summary>`dotnet user-secrets` creates the folder 0755; the secrets in it are nobody else's business.</summary>
    private void TightenFolder()
    {
        try
        {
            if (File.GetUnixFileMode(Folder) != FolderMode)
            {
                File.SetUnixFileMode(Folder, FolderMode);
            }
        }
        catch (UnauthorizedAccessException)
        {
            // Not ours to change (another owner); the file itself is still 0600.
        }
    }

    private OrderedDictionary<string, string> Snapshot()
    {
        lock (_cacheLock)
        {
            var stamp = Stamp();
            if (stamp != _cachedStamp)
            {
                _cached = ReadFile(out stamp);
                _cachedStamp = stamp;
            }
            return _cached;
        }
    }

    /// <summary>Reads the file; <paramref name="stamp"/> is taken before reading, so a change during the read shows up next time.</summary>
    private OrderedDictionary<string, string> ReadFile(out (DateTime, long)? stamp)
    {
        for (var attempt = 1; ; attempt++)
        {
            stamp = Stamp();
            if (stamp is null)
            {
                return new OrderedDictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            }
            byte[] bytes;
            try
            {
                bytes = File.ReadAllBytes(FilePath);
            }
            catch (FileNotFoundException)
            {
                continue;
            }
            try
            {
                return UserSecretsJson.Parse(bytes, FilePath);
            }
            catch (CapaKitException) when (attempt < 3 && Stamp() != stamp)
            {
                // `dotnet user-secrets` rewrites the file in place; we may have read it half written.
                Thread.Sleep(20);
            }
        }
    }

    private (DateTime WriteTime, long Length)? Stamp()
    {
        var info = new FileInfo(FilePath);
        return info.Exists ? (info.LastWriteTimeUtc, info.Length) : null;
    }
}
