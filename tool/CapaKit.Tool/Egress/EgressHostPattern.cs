namespace CapaKit.Tool.Egress;

/// <summary>
/// One allowlist entry: an exact host (<c>registry.npmjs.org</c>, or an IP literal) or a wildcard
/// (<c>*.example.com</c>, which matches any name below example.com but neither example.com itself nor badexample.com).
/// </summary>
public sealed class EgressHostPattern
{
    private const string WildcardPrefix = "*.";

    private EgressHostPattern(string text, bool isWildcard, string host)
    {
        Text = text;
        IsWildcard = isWildcard;
        _host = host;
    }

    private readonly string _host;

    /// <summary>The normalized spelling, e.g. <c>*.example.com</c>.</summary>
    public string Text { get; }

    public bool IsWildcard { get; }

    public static bool TryParse(string? raw, out EgressHostPattern pattern)
    {
        pattern = null!;
        var text = raw?.Trim() ?? "";
        var isWildcard = text.StartsWith(WildcardPrefix, StringComparison.Ordinal);
        var hostPart = isWildcard ? text[WildcardPrefix.Length..] : text;

        // A wildcard must keep at least a registrable-looking base: "*.com" or "*" would open whole TLDs.
        if (hostPart.Contains('*') || !EgressHostName.TryNormalize(hostPart, out var host))
        {
            return false;
        }

        if (isWildcard && (!host.Contains('.') || EgressHostName.IsAddressLiteral(host, out _)))
        {
            return false;
        }

        pattern = new EgressHostPattern(isWildcard ? WildcardPrefix + host : host, isWildcard, host);
        return true;
    }

    /// <summary>Matches an already normalized host (see <see cref="EgressHostName.TryNormalize"/>).</summary>
    public bool Matches(string normalizedHost) =>
        IsWildcard
            ? normalizedHost.Length > _host.Length + 1
                && normalizedHost.EndsWith(_host, StringComparison.Ordinal)
                && normalizedHost[normalizedHost.Length - _host.Length - 1] == '.'
                && !EgressHostName.IsAddressLiteral(normalizedHost, out _)
            : string.Equals(normalizedHost, _host, StringComparison.Ordinal);

    public override string ToString() => Text;
}
