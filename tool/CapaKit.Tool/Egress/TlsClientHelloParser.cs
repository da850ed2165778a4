using System.Buffers.Binary;
using System.Text;

namespace CapaKit.Tool.Egress;

/// <summary>
/// Reads the server name out of the first bytes a client sends into a CONNECT tunnel: TLS records (RFC 8446 §5.1)
/// carrying one ClientHello handshake message (§4.1.2), and in it the server_name extension (RFC 6066 §3). Only the
/// structure is checked; nothing is decrypted or answered.
/// </summary>
/// <remarks>
/// Anything ambiguous is refused rather than guessed, because the proxy and the server behind it must agree on which
/// name the client asked for: two server_name extensions, two host names, trailing bytes, a record that is not a
/// handshake before the ClientHello is complete.
/// </remarks>
internal static class TlsClientHelloParser
{
    /// <summary>
    /// Most bytes read before the ClientHello must be complete. Real ones are 0.5 to 3 KiB (post-quantum key shares
    /// included); the cap only bounds what a client that never finishes can make the proxy hold.
    /// </summary>
    public const int MaxBytes = 32 * 1024;

    private const byte HandshakeRecord = 22;
    private const byte ClientHelloMessage = 1;
    private const int RecordHeaderLength = 5;
    private const int MaxRecordPayload = 16 * 1024;
    private const ushort ServerNameExtension = 0;
    private const byte HostNameType = 0;

    public static ClientHelloParse Parse(ReadOnlySpan<byte> data)
    {
        // The handshake message may be split over several records; join their payloads until it is whole.
        var handshake = new List<byte>();
        var offset = 0;
        while (true)
        {
            if (data.Length - offset < RecordHeaderLength)
            {
                return NeedMoreOrTooLarge(data);
            }

            var record = data.Slice(offset, RecordHeaderLength);
            if (record[0] != HandshakeRecord)
            {
                return ClientHelloParse.Invalid(offset == 0 ? "the tunnel does not start with a TLS handshake" : "a TLS record other than a handshake interrupts the ClientHello");
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(record[3..]);
            if (record[1] != 3 || length is 0 or > MaxRecordPayload)
            {
                return ClientHelloParse.Invalid("the TLS record header is malformed");
            }

            if (data.Length - offset - RecordHeaderLength < length)
            {
                return NeedMoreOrTooLarge(data);
            }

            handshake.AddRange(data.Slice(offset + RecordHeaderLength, length));
            offset += RecordHeaderLength + length;
            if (handshake.Count < 4)
            {
                continue;
            }

            if (handshake[0] != ClientHelloMessage)
            {
                return ClientHelloParse.Invalid("the first TLS handshake message is not a ClientHello");
            }

            var bodyLength = (handshake[1] << 16) | (handshake[2] << 8) | handshake[3];
            if (bodyLength > MaxBytes)
            {
                return ClientHelloParse.Invalid($"the ClientHello is larger than {MaxBytes / 1024} KiB");
            }

            if (handshake.Count < 4 + bodyLength)
            {
                continue;
            }

            if (handshake.Count > 4 + bodyLength)
            {
                // Nothing may follow the ClientHello before the server answers it.
                return ClientHelloParse.Invalid("another handshake message follows the ClientHello");
            }

            return ParseBody(handshake.ToArray().AsSpan(4));
        }
    }

    private static ClientHelloParse NeedMoreOrTooLarge(ReadOnlySpan<byte> data) =>
        data.Length >= MaxBytes
            ? ClientHelloParse.Invalid($"no complete ClientHello within the first {MaxBytes / 1024} KiB")
            : ClientHelloParse.NeedMore;

    private static ClientHelloParse ParseBody(ReadOnlySpan<byte> body)
    {
        var reader = new SpanCursor(body);
        if (!reader.Skip(2 + 32) // legacy_version, random
            || !reader.TryReadVector(1, out var sessionId) || sessionId.Length > 32
            || !reader.TryReadVector(2, out var cipherSuites) || cipherSuites.Length < 2 || cipherSuites.Length % 2 != 0
            || !reader.TryReadVector(1, out var compression) || compression.Length < 1)
        {
            return ClientHelloParse.Invalid("the ClientHello is malformed");
        }

        if (reader.AtEnd)
        {
            // Extensions are optional before TLS 1.3, and without them there is no server name.
            return ClientHelloParse.Complete(null);
        }

        if (!reader.TryReadVector(2, out var extensions) || !reader.AtEnd)
        {
            return ClientHelloParse.Invalid("the ClientHello's extensions are malformed");
        }

        string? serverName = null;
        var sawServerName = false;
        var cursor = new SpanCursor(extensions);
        while (!cursor.AtEnd)
        {
            if (!cursor.TryReadUInt16(out var type) || !cursor.TryReadVector(2, out var extension))
            {
                return ClientHelloParse.Invalid("the ClientHello's extensions are malformed");
            }

            if (type != ServerNameExtension)
            {
                continue;
            }

            if (sawServerName)
            {
                return ClientHelloParse.Invalid("the ClientHello has two server_name extensions");
            }

            sawServerName = true;
            if (!TryReadHostName(extension, out serverName, out var problem))
            {
                return ClientHelloParse.Invalid(problem);
            }
        }

        return ClientHelloParse.Complete(serverName);
    }

    private static bool TryReadHostName(ReadOnlySpan<byte> extension, out string? hostName, out string problem)
    {
        hostName = null;
        problem = "the server_name extension is malformed";
        var outer = new SpanCursor(extension);
        if (!outer.TryReadVector(2, out var list) || !outer.AtEnd || list.IsEmpty)
        {
            return false;
        }

        var names = new SpanCursor(list);
        while (!names.AtEnd)
        {
            if (!names.TryReadByte(out var nameType) || !names.TryReadVector(2, out var name) || name.IsEmpty)
            {
                return false;
            }

            if (nameType != HostNameType)
            {
                continue;
            }

            if (hostName is not null)
            {
                problem = "the server_name extension lists two host names";
                return false;
            }

            foreach (var b in name)
            {
                if (b is <= 0x20 or >= 0x7F)
                {
                    problem = "the server name is not a printable ASCII host name";
                    return false;
                }
            }

            hostName = Encoding.ASCII.GetString(name);
        }

        problem = "";
        return true;
    }

    /// <summary>Reads big-endian fields and length-prefixed vectors, failing instead of reading past the end.</summary>
    private ref struct SpanCursor(ReadOnlySpan<byte> data)
    {
        private ReadOnlySpan<byte> _rest = data;

        public readonly bool AtEnd => _rest.IsEmpty;

        public bool Skip(int count)
        {
            if (_rest.Length < count)
            {
                return false;
            }

            _rest = _rest[count..];
            return true;
        }

        public bool TryReadByte(out byte value)
        {
            value = _rest.IsEmpty ? (byte)0 : _rest[0];
            return Skip(1);
        }

        public bool TryReadUInt16(out ushort value)
        {
            value = _rest.Length < 2 ? (ushort)0 : BinaryPrimitives.ReadUInt16BigEndian(_rest);
            return Skip(2);
        }

        /// <summary>A vector with a 1- or 2-byte length prefix.</summary>
        public bool TryReadVector(int prefixLength, out ReadOnlySpan<byte> vector)
        {
            vector = default;
            int length;
            if (prefixLength == 1 && TryReadByte(out var small))
            {
                length = small;
            }
            else if (prefixLength == 2 && TryReadUInt16(out var large))
            {
                length = large;
            }
            else
            {
                return false;
            }

            if (_rest.Length < length)
            {
                return false;
            }

            vector = _rest[..length];
            _rest = _rest[length..];
            return true;
        }
    }
}

/// <summary>The parser's answer: more bytes needed, a complete ClientHello (with its host name, or none), or why the bytes are refused.</summary>
internal readonly record struct ClientHelloParse(ClientHelloStatus Status, string? ServerName, string Problem)
{
    public static ClientHelloParse NeedMore => new(ClientHelloStatus.NeedMore, null, "");

    public static ClientHelloParse Complete(string? serverName) => new(ClientHelloStatus.Complete, serverName, "");

    public static ClientHelloParse Invalid(string problem) => new(ClientHelloStatus.Invalid, null, problem);
}

internal enum ClientHelloStatus
{
    NeedMore,
    Complete,
    Invalid,
}
