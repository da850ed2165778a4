namespace CapaKit.Tool.Egress;

/// <summary>What the egress policy decided about one destination.</summary>
public enum EgressVerdict
{
    Allowed,

    /// <summary>The host matches no allowlist entry.</summary>
    HostNotListed,

    /// <summary>The port is not one the policy opens (443 and 80 by default).</summary>
    PortNotAllowed,

    /// <summary>The host resolves to loopback, private, link-local or other non-public space.</summary>
    NonPublicAddress,

    /// <summary>The host is not a valid DNS name or IP literal.</summary>
    InvalidHost,

    /// <summary>The host is listed but has no address (DNS failed or timed out).</summary>
    Unresolvable,

    /// <summary>
    /// The CONNECT was allowed, but the tunnel's TLS ClientHello names another server (SNI), names none for a host
    /// name, or is not a well-formed ClientHello; the tunnel was closed before any byte went upstream.
    /// </summary>
    ServerNameMismatch,
}
