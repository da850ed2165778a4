namespace CapaKit.Tool.Mesh;

/// <summary>Time and size limits of the mesh proxies; tests shorten them.</summary>
internal sealed record MeshLimits
{
    public static MeshLimits Default { get; } = new();

    /// <summary>A peer that has not finished its TLS handshake by then is dropped, so a stuck client holds nothing for long.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long connecting to an inbound proxy or a workload's ingress may take.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Live connections per proxy socket; beyond it new ones are closed at once (a workload cannot exhaust the runtime's descriptors).</summary>
    public int MaxConnectionsPerProxy { get; init; } = 1024;

    /// <summary>How many of the most recent handshake events <see cref="WorkloadMesh.Events"/> keeps.</summary>
    public int MaxRecordedEvents { get; init; } = 1000;
}
