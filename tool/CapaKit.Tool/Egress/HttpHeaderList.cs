namespace CapaKit.Tool.Egress;

/// <summary>HTTP header fields in arrival order; names compare case-insensitively.</summary>
internal sealed class HttpHeaderList
{
    private readonly List<KeyValuePair<string, string>> _fields = [];

    public IReadOnlyList<KeyValuePair<string, string>> Fields => _fields;

    public void Add(string name, string value) => _fields.Add(new(name, value));

    public bool Contains(string name) => _fields.Any(f => Is(f.Key, name));

    public IEnumerable<string> GetAll(string name) => _fields.Where(f => Is(f.Key, name)).Select(f => f.Value);

    /// <summary>All comma-separated list elements of every field called <paramref name="name"/>, trimmed and lower-cased.</summary>
    public IReadOnlyList<string> GetTokens(string name) =>
        [.. GetAll(name)
            .SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .Select(t => t.ToLowerInvariant())];

    private static bool Is(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}
