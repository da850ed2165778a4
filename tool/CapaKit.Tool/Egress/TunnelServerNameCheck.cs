namespace CapaKit.Tool.Egress;

/// <summary>
/// Holds back a CONNECT tunnel's first bytes until they form a TLS ClientHello, and lets the tunnel open only when
/// its server name (SNI) is the host the CONNECT named.
/// </summary>
/// <remarks>
/// The policy checked the CONNECT host and its addresses, but a shared front end (a CDN serving the registry) picks the
/// site by the TLS server name: a ClientHello naming another host would reach that host through an allowed address.
/// </remarks>
internal static class TunnelServerNameCheck
{
    /// <summary>The bytes read so far (all of them go upstream when the tunnel opens) and what they hold.</summary>
    public sealed record Opening(ReadOnlyMemory<byte> Bytes, ClientHelloParse Hello, bool ClientClosed);

    /// <summary>Reads until the ClientHello is complete, refused, or the client closes; never more than <see cref="TlsClientHelloParser.MaxBytes"/> beyond <paramref name="early"/>.</summary>
    public static async Task<Opening> ReadAsync(ReadOnlyMemory<byte> early, Stream client, IdleDeadline idle, CancellationToken cancellationToken)
    {
        var buffer = new byte[Math.Max(TlsClientHelloParser.MaxBytes, early.Length)];
        early.CopyTo(buffer);
        var count = early.Length;
        while (true)
        {
            var hello = TlsClientHelloParser.Parse(buffer.AsSpan(0, count));
            if (hello.Status != ClientHelloStatus.NeedMore)
            {
                return new Opening(buffer.AsMemory(0, count), hello, ClientClosed: false);
            }

            var read = await client.ReadAsync(buffer.AsMemory(count), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return new Opening(buffer.AsMemory(0, count), hello, ClientClosed: true);
            }

            idle.Touch();
            count += read;
        }
    }

    /// <param name="connectHost">The CONNECT host, normalized (<see cref="EgressHostName.TryNormalize"/>).</param>
    /// <returns>Null when the tunnel may open; otherwise why not, for the log.</returns>
    public static string? Refusal(string connectHost, ClientHelloParse hello)
    {
        if (hello.Status == ClientHelloStatus.Invalid)
        {
            return hello.Problem;
        }

        if (hello.ServerName is null)
        {
            // TLS has no server name for an address, so only a tunnel to an address may go without one.
            return EgressHostName.IsAddressLiteral(connectHost, out _) ? null : "the TLS ClientHello names no server (no SNI)";
        }

        if (!EgressHostName.TryNormalize(hello.ServerName, out var serverName))
        {
            return "the TLS server name is not a host name";
        }

        return serverName == connectHost ? null : $"the TLS ClientHello names {serverName}, not {connectHost}";
    }
}
