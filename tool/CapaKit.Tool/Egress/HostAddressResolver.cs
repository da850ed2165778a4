using System.Net;

namespace CapaKit.Tool.Egress;

/// <summary>Resolves a DNS name to addresses; the policy's seam for tests that need a name to resolve somewhere specific.</summary>
public delegate Task<IPAddress[]> HostAddressResolver(string host, CancellationToken cancellationToken);
