using System.Net;
using System.Net.Sockets;

namespace CapaKit.Tool.Egress;

/// <summary>
/// The address ranges an install phase must never reach: this machine, private networks, link-local,
/// carrier-grade NAT, multicast, unspecified and reserved space, in IPv4 and IPv6 (including IPv4 addresses
/// wrapped in IPv6: mapped, NAT64, 6to4).
/// </summary>
/// <remarks>
/// A registry allowlist is worthless if an allowed name can be pointed at 127.0.0.1 or the metadata service.
/// The documentation ranges (TEST-NET-1/2/3, 2001:db8::/32) are not refused: they reach no host's internal
/// services, and some networks put their registry mirrors there.
/// </remarks>
public static class NonPublicAddressRanges
{
    private static readonly AddressRange[] V4Ranges =
    [
        new("0.0.0.0", 8, "unspecified (0.0.0.0/8)"),
        new("10.0.0.0", 8, "private (10.0.0.0/8)"),
        new("100.64.0.0", 10, "carrier-grade NAT (100.64.0.0/10)"),
        new("127.0.0.0", 8, "loopback (127.0.0.0/8)"),
        new("169.254.0.0", 16, "link-local (169.254.0.0/16)"),
        new("172.16.0.0", 12, "private (172.16.0.0/12)"),
        new("192.0.0.0", 24, "IETF protocol assignment (192.0.0.0/24)"),
        new("192.88.99.0", 24, "6to4 relay (192.88.99.0/24)"),
        new("192.168.0.0", 16, "private (192.168.0.0/16)"),
        new("198.18.0.0", 15, "benchmarking (198.18.0.0/15)"),
        new("224.0.0.0", 4, "multicast (224.0.0.0/4)"),
        new("240.0.0.0", 4, "reserved or broadcast (240.0.0.0/4)"),
    ];

    private static readonly AddressRange[] V6Ranges =
    [
        new("::", 128, "unspecified (::)"),
        new("::1", 128, "loopback (::1)"),
        new("::", 96, "IPv4-compatible (::/96, deprecated)"),
        new("64:ff9b:1::", 48, "local-use NAT64 (64:ff9b:1::/48)"),
        new("100::", 64, "discard-only (100::/64)"),
        new("2001::", 23, "IETF protocol assignment or Teredo (2001::/23)"),
        new("fc00::", 7, "unique local (fc00::/7)"),
        new("fe80::", 10, "link-local (fe80::/10)"),
        new("fec0::", 10, "site-local (fec0::/10, deprecated)"),
        new("ff00::", 8, "multicast (ff00::/8)"),
    ];

    private static readonly AddressRange Nat64 = new("64:ff9b::", 96, "NAT64");
    private static readonly AddressRange SixToFour = new("2002::", 16, "6to4");
    private static readonly AddressRange GlobalUnicast = new("2000::", 3, "global unicast");

    public static bool IsNonPublic(IPAddress address) => TryMatch(address, out _);

    /// <summary>True when <paramref name="address"/> is not a public unicast address; <paramref name="rangeName"/> says which range it is in.</summary>
    public static bool TryMatch(IPAddress address, out string rangeName)
    {
        ArgumentNullException.ThrowIfNull(address);

        if (address.IsIPv4MappedToIPv6)
        {
            return TryMatch(address.MapToIPv4(), out rangeName);
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return TryMatchAny(V4Ranges, address, out rangeName);
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            rangeName = "not an IP address";
            return true;
        }

        // Translated and tunnelled forms carry an IPv4 address inside; judge it, not its wrapper.
        if (Nat64.Contains(address))
        {
            return TryMatch(new IPAddress(address.GetAddressBytes()[12..16]), out rangeName);
        }

        if (SixToFour.Contains(address))
        {
            return TryMatch(new IPAddress(address.GetAddressBytes()[2..6]), out rangeName);
        }

        if (TryMatchAny(V6Ranges, address, out rangeName))
        {
            return true;
        }

        if (!GlobalUnicast.Contains(address))
        {
            rangeName = "reserved (outside 2000::/3)";
            return true;
        }

        return false;
    }

    private static bool TryMatchAny(AddressRange[] ranges, IPAddress address, out string rangeName)
    {
        foreach (var range in ranges)
        {
            if (range.Contains(address))
            {
                rangeName = range.Name;
                return true;
            }
        }

        rangeName = "";
        return false;
    }

    /// <summary>One CIDR block with a human name.</summary>
    private sealed class AddressRange(string network, int prefixLength, string name)
    {
        private readonly byte[] _network = IPAddress.Parse(network).GetAddressBytes();

        public string Name { get; } = name;

        public bool Contains(IPAddress address)
        {
            var bytes = address.GetAddressBytes();
            if (bytes.Length != _network.Length)
            {
                return false;
            }

            var fullBytes = prefixLength / 8;
            for (var i = 0; i < fullBytes; i++)
            {
                if (bytes[i] != _network[i])
                {
                    return false;
                }
            }

            var remainingBits = prefixLength % 8;
            if (remainingBits == 0)
            {
                return true;
            }

            var mask = (byte)(0xFF << (8 - remainingBits));
            return (bytes[fullBytes] & mask) == (_network[fullBytes] & mask);
        }
    }
}
