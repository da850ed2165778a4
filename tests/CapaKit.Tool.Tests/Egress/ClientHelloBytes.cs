using System.Text;

namespace CapaKit.Tool.Tests.Egress;

/// <summary>Builds TLS ClientHello bytes the way a TLS 1.3 client lays them out, with a chosen server name (or none).</summary>
internal static class ClientHelloBytes
{
    public const ushort ServerNameType = 0;
    private const ushort SupportedVersionsType = 43;

    /// <summary>One handshake record holding a ClientHello whose server_name is <paramref name="serverName"/>, or which has none.</summary>
    public static byte[] For(string? serverName) =>
        Record(Handshake(serverName is null ? [] : [ServerName(serverName)]));

    /// <summary>The ClientHello handshake message (type, 3-byte length, body) with these extensions plus supported_versions.</summary>
    public static byte[] Handshake(IEnumerable<byte[]> extensions, byte[]? trailing = null)
    {
        var all = extensions.Append(Extension(SupportedVersionsType, [2, 3, 4])).SelectMany(e => e).ToArray();
        byte[] body =
        [
            3, 3,                                   // legacy_version TLS 1.2
            .. Enumerable.Range(0, 32).Select(i => (byte)i), // random
            32, .. new byte[32],                    // legacy_session_id
            0, 2, 0x13, 0x01,                       // cipher_suites: TLS_AES_128_GCM_SHA256
            1, 0,                                   // legacy_compression_methods: null
            .. U16(all.Length), .. all,
            .. trailing ?? [],
        ];
        return [1, (byte)(body.Length >> 16), (byte)(body.Length >> 8), (byte)body.Length, .. body];
    }

    /// <summary>A server_name extension listing <paramref name="names"/> as host names (RFC 6066 allows one).</summary>
    public static byte[] ServerName(params string[] names)
    {
        var list = names.SelectMany(n => (byte[])[0, .. U16(Encoding.Latin1.GetByteCount(n)), .. Encoding.Latin1.GetBytes(n)]).ToArray();
        return Extension(ServerNameType, [.. U16(list.Length), .. list]);
    }

    public static byte[] Extension(ushort type, byte[] data) => [.. U16(type), .. U16(data.Length), .. data];

    /// <summary>A TLS record of <paramref name="type"/> (22: handshake) around <paramref name="fragment"/>.</summary>
    public static byte[] Record(byte[] fragment, byte type = 22) => [type, 3, 1, .. U16(fragment.Length), .. fragment];

    private static byte[] U16(int value) => [(byte)(value >> 8), (byte)value];
}
