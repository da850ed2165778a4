using System.Globalization;
using System.Text;

namespace CapaKit.Tool.Egress;

/// <summary>
/// Streams one message body from a <see cref="BufferedHttpReader"/> to a stream according to its framing.
/// Chunked bodies are re-framed chunk by chunk (extensions dropped, sizes re-written) so nothing ambiguous passes through.
/// </summary>
internal static class HttpBodyRelay
{
    private const int MaxChunkLineBytes = 4 * 1024;
    private const int MaxTrailerBytes = 16 * 1024;
    private static readonly byte[] CrLf = "\r\n"u8.ToArray();

    public static Task CopyAsync(HttpBodyFraming framing, BufferedHttpReader from, Stream to, IdleDeadline idle) =>
        framing.Kind switch
        {
            HttpBodyKind.None => Task.CompletedTask,
            HttpBodyKind.ContentLength => from.CopyExactlyAsync(to, framing.Length, idle),
            HttpBodyKind.Chunked => CopyChunkedAsync(from, to, idle),
            _ => from.CopyToEndAsync(to, idle),
        };

    private static async Task CopyChunkedAsync(BufferedHttpReader from, Stream to, IdleDeadline idle)
    {
        while (true)
        {
            var sizeLine = await from.ReadLineAsync(MaxChunkLineBytes, idle.Token).ConfigureAwait(false)
                ?? throw new InvalidDataException("the chunked body ended before its last chunk");
            idle.Touch();
            var size = ParseChunkSize(sizeLine);
            await WriteAsciiAsync(to, size.ToString("x", CultureInfo.InvariantCulture) + "\r\n", idle).ConfigureAwait(false);
            if (size == 0)
            {
                await CopyTrailersAsync(from, to, idle).ConfigureAwait(false);
                return;
            }

            await from.CopyExactlyAsync(to, size, idle).ConfigureAwait(false);
            var end = await from.ReadLineAsync(MaxChunkLineBytes, idle.Token).ConfigureAwait(false);
            if (end is not "")
            {
                throw new InvalidDataException("a chunk is not followed by CRLF");
            }

            await to.WriteAsync(CrLf, idle.Token).ConfigureAwait(false);
        }
    }

    private static async Task CopyTrailersAsync(BufferedHttpReader from, Stream to, IdleDeadline idle)
    {
        var total = 0;
        while (true)
        {
            var line = await from.ReadLineAsync(MaxChunkLineBytes, idle.Token).ConfigureAwait(false)
                ?? throw new InvalidDataException("the chunked body ended inside its trailer");
            if (line.Length == 0)
            {
                await to.WriteAsync(CrLf, idle.Token).ConfigureAwait(false);
                await to.FlushAsync(idle.Token).ConfigureAwait(false);
                return;
            }

            total += line.Length;
            if (total > MaxTrailerBytes || !HttpHeadParser.TryParseField(line, out _, out _))
            {
                throw new InvalidDataException("the chunked trailer is too large or malformed");
            }

            await WriteAsciiAsync(to, line + "\r\n", idle).ConfigureAwait(false);
        }
    }

    private static long ParseChunkSize(string line)
    {
        var semicolon = line.IndexOf(';');
        var digits = (semicolon >= 0 ? line[..semicolon] : line).TrimEnd(' ', '\t');
        if (digits.Length is 0 or > 15 || !digits.All(char.IsAsciiHexDigit))
        {
            throw new InvalidDataException("a chunk size is not a hexadecimal number");
        }

        return long.Parse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
    }

    private static async Task WriteAsciiAsync(Stream to, string text, IdleDeadline idle)
    {
        await to.WriteAsync(Encoding.Latin1.GetBytes(text), idle.Token).ConfigureAwait(false);
        idle.Touch();
    }
}
