using System.Net;
using System.Net.Sockets;

namespace CapaKit.Tool.Egress;

/// <summary>
/// Which destinations a dependency-install phase may reach: listed hosts (exact or <c>*.suffix</c>), on
/// allowed ports (443 and 80 by default), and only when every address the name resolves to is public.
/// </summary>
public sealed class EgressPolicy
{
    public static readonly IReadOnlySet<int> DefaultPorts = new HashSet<int> { 443, 80 };

    private readonly EgressHostPattern[] _patterns;
    private readonly HashSet<string> _loopbackAllowedHosts = new(StringComparer.Ordinal);

    /// <param name="allowedHosts">Host names, IP literals or <c>*.suffix</c> wildcards; matched case-insensitively after IDN and trailing-dot normalization.</param>
    /// <exception cref="ArgumentException">An entry is not a host name, IP literal or <c>*.domain</c> wildcard.</exception>
    public EgressPolicy(IEnumerable<string> allowedHosts)
    {
        ArgumentNullException.ThrowIfNull(allowedHosts);
        var patterns = new List<EgressHostPattern>();
        foreach (var entry in allowedHosts)
        {
            if (!EgressHostPattern.TryParse(entry, out var pattern))
            {
                throw new ArgumentException(
                    $"The egress allowlist entry '{entry}' is not a host name, IP address or *.domain wildcard; write it like registry.npmjs.org or *.example.com.",
                    nameof(allowedHosts));
            }

            if (!patterns.Any(p => p.Text == pattern.Text))
            {
                patterns.Add(pattern);
            }
        }

        _patterns = [.. patterns];
        AllowedHosts = [.. patterns.Select(p => p.Text)];
    }

    /// <summary>The normalized allowlist, in the order given.</summary>
    public IReadOnlyList<string> AllowedHosts { get; }

    public IReadOnlySet<int> AllowedPorts { get; init; } = DefaultPorts;

    /// <summary>
    /// Exact host names (no wildcards) that may resolve to loopback or private addresses. Only tests set this,
    /// to reach an upstream they started on 127.0.0.1; production policies leave it empty.
    /// </summary>
    public IReadOnlyCollection<string> LoopbackAllowedHostsForTesting
    {
        get => _loopbackAllowedHosts;
        init
        {
            _loopbackAllowedHosts.Clear();
            foreach (var host in value)
            {
                if (!EgressHostName.TryNormalize(host, out var normalized))
                {
                    throw new ArgumentException($"'{host}' is not a host name; list exact host names only.", nameof(value));
                }

                _loopbackAllowedHosts.Add(normalized);
            }
        }
    }

    public HostAddressResolver Resolver { get; init; } = static (host, ct) => Dns.GetHostAddressesAsync(host, ct);

    /// <summary>True when <paramref name="host"/> matches an allowlist entry (no DNS involved).</summary>
    public bool IsListed(string host) =>
        EgressHostName.TryNormalize(host, out var normalized) && _patterns.Any(p => p.Matches(normalized));

    /// <summary>
    /// Decides about <paramref name="host"/>:<paramref name="port"/>. Names are resolved once, here; an allowed decision
    /// carries the checked addresses so the caller connects to exactly what was checked (no DNS rebinding in between).
    /// Unlisted hosts are refused before any DNS query, so refused names do not leak to the resolver.
    /// </summary>
    public async Task<EgressDecision> EvaluateAsync(string host, int port, CancellationToken cancellationToken)
    {
        if (!EgressHostName.TryNormalize(host, out var normalized))
        {
            return Refuse(host, port, EgressVerdict.InvalidHost, "not a valid host name");
        }

        if (!AllowedPorts.Contains(port))
        {
            return Refuse(normalized, port, EgressVerdict.PortNotAllowed, $"port {port} is not allowed");
        }

        if (!_patterns.Any(p => p.Matches(normalized)))
        {
            return Refuse(normalized, port, EgressVerdict.HostNotListed, "host is not on the allowlist");
        }

        IPAddress[] addresses;
        if (EgressHostName.IsAddressLiteral(normalized, out var literal))
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                addresses = await Resolver(normalized, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException e)
            {
                return Refuse(normalized, port, EgressVerdict.Unresolvable, $"DNS lookup failed ({e.SocketErrorCode})");
            }

            addresses = [.. addresses.Where(a => a.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6).Distinct()];
            if (addresses.Length == 0)
            {
                return Refuse(normalized, port, EgressVerdict.Unresolvable, "DNS returned no addresses");
            }
        }

        if (!_loopbackAllowedHosts.Contains(normalized))
        {
            // One bad address refuses the whole name: a mixed answer is how rebinding attacks look.
            foreach (var address in addresses)
            {
                if (NonPublicAddressRanges.TryMatch(address, out var range))
                {
                    return new EgressDecision(normalized, port, EgressVerdict.NonPublicAddress, [address], $"resolves to {address}, a {range} address");
                }
            }
        }

        return new EgressDecision(normalized, port, EgressVerdict.Allowed, addresses, "listed");
    }

    private static EgressDecision Refuse(string host, int port, EgressVerdict verdict, string reason) =>
        new(host, port, verdict, [], reason);
}
