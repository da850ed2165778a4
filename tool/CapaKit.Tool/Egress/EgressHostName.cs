using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace CapaKit.Tool.Egress;

/// <summary>
/// Puts a host into the one spelling that allowlist matching compares: lower-case ASCII (IDN names in
/// punycode), no trailing dot, IP literals in canonical form without brackets.
/// </summary>
/// <remarks>Matching on a single spelling is what stops "REGISTRY.npmjs.org." or a Unicode look-alike from slipping past a rule.</remarks>
public static class EgressHostName
{
    private const int MaxNameLength = 253;
    private const int MaxLabelLength = 63;

    public static bool TryNormalize(string? raw, out string normalized)
    {
        normalized = "";
        if (string.IsNullOrWhiteSpace(raw))
        {
            return false;
        }

        var host = raw.Trim();
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            // Bracketed literals are only ever IPv6 (RFC 3986 host syntax).
            if (!IPAddress.TryParse(host[1..^1], out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                return false;
            }

            return TryNormalizeAddress(v6, out normalized);
        }

        if (host.Contains(':'))
        {
            // A bare IPv6 literal (allowlist entries may be written without brackets).
            return IPAddress.TryParse(host, out var bare) && bare.AddressFamily == AddressFamily.InterNetworkV6
                && TryNormalizeAddress(bare, out normalized);
        }

        if (host.EndsWith('.'))
        {
            host = host[..^1];
        }

        if (host.Length == 0 || host.StartsWith('.') || host.Contains(".."))
        {
            return false;
        }

        // Any all-numeric spelling (127.1, 2130706433, 0x7f.1) is an IPv4 literal to the C resolver too, so treat it as one.
        if (LooksNumeric(host) && IPAddress.TryParse(host, out var v4) && v4.AddressFamily == AddressFamily.InterNetwork)
        {
            return TryNormalizeAddress(v4, out normalized);
        }

        host = host.ToLowerInvariant();
        if (!IsAscii(host))
        {
            try
            {
                host = new IdnMapping().GetAscii(host).ToLowerInvariant();
            }
            catch (ArgumentException)
            {
                return false;
            }
        }

        if (!IsValidDnsName(host))
        {
            return false;
        }

        normalized = host;
        return true;
    }

    /// <summary>True when the normalized host is an IP literal rather than a DNS name.</summary>
    public static bool IsAddressLiteral(string normalizedHost, out IPAddress address) =>
        IPAddress.TryParse(normalizedHost, out address!) && (normalizedHost.Contains(':') || LooksNumeric(normalizedHost));

    private static bool TryNormalizeAddress(IPAddress address, out string normalized)
    {
        // Zone ids (fe80::1%eth0) name an interface of this machine; no registry needs one.
        if (address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0)
        {
            normalized = "";
            return false;
        }

        normalized = address.ToString();
        return true;
    }

    private static bool LooksNumeric(string host) =>
        host.Split('.').All(label => label.Length > 0 && IsNumericLabel(label));

    private static bool IsNumericLabel(string label) =>
        label.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? label.Length > 2 && label.Skip(2).All(char.IsAsciiHexDigit)
            : label.All(char.IsAsciiDigit);

    private static bool IsAscii(string s)
    {
        foreach (var c in s)
        {
            if (c > 0x7F)
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsValidDnsName(string host)
    {
        if (host.Length > MaxNameLength)
        {
            return false;
        }

        foreach (var label in host.Split('.'))
        {
            if (label.Length is 0 or > MaxLabelLength || label.StartsWith('-') || label.EndsWith('-'))
            {
                return false;
            }

            foreach (var c in label)
            {
                // Underscore shows up in real DNS names (service labels); everything else outside LDH is refused.
                if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_'))
                {
                    return false;
                }
            }
        }

        return true;
    }
}
