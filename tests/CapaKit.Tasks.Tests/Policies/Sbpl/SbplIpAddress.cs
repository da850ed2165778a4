namespace CapaKit.Tasks.Tests.Policies.Sbpl;

/// <summary>
/// The address of an <c>ip</c> filter: <c>"host:port"</c> where host is <c>*</c> or <c>localhost</c> and port
/// is <c>*</c> or one number. Seatbelt refuses to load anything else (e.g. <c>127.0.0.1</c> or a range), so do we.
/// </summary>
public sealed record SbplIpAddress(bool AnyHost, int? Port)
{
    public static SbplIpAddress Parse(string text)
    {
        var colon = text.LastIndexOf(':');
        if (colon < 0)
        {
            throw new SbplException($"IP filter address must be host:port: {text}");
        }
        var host = text[..colon];
        var port = text[(colon + 1)..];
        if (host is not ("*" or "localhost"))
        {
            throw new SbplException($"IP filter host must be * or localhost: {text}");
        }
        if (port == "*")
        {
            return new SbplIpAddress(host == "*", null);
        }
        if (!int.TryParse(port, out var number) || number is < 1 or > 65535 || number.ToString() != port)
        {
            throw new SbplException($"IP filter port must be * or one port number: {text}");
        }
        return new SbplIpAddress(host == "*", number);
    }

    /// <summary>Whether an endpoint of a request falls under this address.</summary>
    public bool Matches(SbplIpEndpoint endpoint)
    {
        var hostMatches = AnyHost || endpoint.IsLoopback;
        // An ephemeral (unknown) local port only falls under "*".
        var portMatches = Port is null || endpoint.Port == Port;
        return hostMatches && portMatches;
    }
}
