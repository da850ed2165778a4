using System.Buffers;
using System.Text;

namespace CapaKit.Tool.Egress;

/// <summary>
/// Reads HTTP/1.1 framing (heads, chunk-size lines) from a stream and hands the bytes that follow to body
/// copies, without ever holding more than one head or one copy buffer in memory.
/// </summary>
internal sealed class BufferedHttpReader(Stream source)
{
    private const int InitialCapacity = 8 * 1024;
    private const int CopyBufferSize = 32 * 1024;

    private byte[] _buffer = new byte[InitialCapacity];
    private int _start;
    private int _end;

    private int Buffered => _end - _start;

    /// <summary>Reads up to and including the blank line that ends a head; returns the head text (Latin-1, so bytes map 1:1).</summary>
    public async Task<(HeadReadStatus Status, string Head)> ReadHeadAsync(int maxBytes, CancellationToken cancellationToken)
    {
        var scanned = 0;
        while (true)
        {
            var headLength = FindHeadEnd(scanned);
            if (headLength >= 0)
            {
                if (headLength > maxBytes)
                {
                    return (HeadReadStatus.TooLarge, "");
                }

                var head = Encoding.Latin1.GetString(_buffer, _start, headLength);
                _start += headLength;
                return (HeadReadStatus.Complete, head);
            }

            if (Buffered >= maxBytes)
            {
                return (HeadReadStatus.TooLarge, "");
            }

            // Rescan only the tail: a slow client sending one byte at a time must not cost quadratic work.
            scanned = Math.Max(0, Buffered - 2);
            if (!await FillAsync(maxBytes + 4, cancellationToken).ConfigureAwait(false))
            {
                return (Buffered == 0 ? HeadReadStatus.Closed : HeadReadStatus.Truncated, "");
            }
        }
    }

    /// <summary>Reads one line without its line ending; null at a clean end of stream.</summary>
    /// <exception cref="InvalidDataException">The line is longer than <paramref name="maxBytes"/> or the stream ends inside it.</exception>
    public async Task<string?> ReadLineAsync(int maxBytes, CancellationToken cancellationToken)
    {
        var scanned = 0;
        while (true)
        {
            var newline = _buffer.AsSpan(_start + scanned, Buffered - scanned).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var length = scanned + newline;
                var lineLength = length > 0 && _buffer[_start + length - 1] == '\r' ? length - 1 : length;
                var line = Encoding.Latin1.GetString(_buffer, _start, lineLength);
                _start += length + 1;
                return line;
            }

            if (Buffered >= maxBytes)
            {
                throw new InvalidDataException($"a framing line is longer than {maxBytes} bytes");
            }

            scanned = Buffered;
            if (!await FillAsync(maxBytes + 2, cancellationToken).ConfigureAwait(false))
            {
                return Buffered == 0 ? null : throw new InvalidDataException("the stream ended inside a framing line");
            }
        }
    }

    /// <summary>Copies exactly <paramref name="count"/> bytes to <paramref name="destination"/>.</summary>
    /// <exception cref="InvalidDataException">The stream ended first.</exception>
    public async Task CopyExactlyAsync(Stream destination, long count, IdleDeadline idle)
    {
        var remaining = count;
        remaining -= await FlushBufferedAsync(destination, remaining, idle).ConfigureAwait(false);
        if (remaining == 0)
        {
            return;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            while (remaining > 0)
            {
                var read = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, remaining)), idle.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new InvalidDataException("the stream ended before the announced body length");
                }

                idle.Touch();
                await destination.WriteAsync(buffer.AsMemory(0, read), idle.Token).ConfigureAwait(false);
                idle.Touch();
                remaining -= read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Copies everything until the peer closes.</summary>
    public async Task CopyToEndAsync(Stream destination, IdleDeadline idle)
    {
        await FlushBufferedAsync(destination, long.MaxValue, idle).ConfigureAwait(false);
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            int read;
            while ((read = await source.ReadAsync(buffer, idle.Token).ConfigureAwait(false)) > 0)
            {
                idle.Touch();
                await destination.WriteAsync(buffer.AsMemory(0, read), idle.Token).ConfigureAwait(false);
                idle.Touch();
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Removes and returns whatever arrived after the last head (a tunnel's first bytes, for instance).</summary>
    public ReadOnlyMemory<byte> TakeBuffered()
    {
        var rest = _buffer.AsMemory(_start, Buffered).ToArray();
        _start = _end = 0;
        return rest;
    }

    private async Task<long> FlushBufferedAsync(Stream destination, long limit, IdleDeadline idle)
    {
        var count = (int)Math.Min(Buffered, limit);
        if (count == 0)
        {
            return 0;
        }

        await destination.WriteAsync(_buffer.AsMemory(_start, count), idle.Token).ConfigureAwait(false);
        idle.Touch();
        _start += count;
        return count;
    }

    /// <summary>Length of the head including its terminating blank line, or -1; accepts CRLF and bare LF line endings.</summary>
    private int FindHeadEnd(int from)
    {
        var data = _buffer.AsSpan(_start, Buffered);
        for (var i = from; i < data.Length; i++)
        {
            if (data[i] != '\n')
            {
                continue;
            }

            if (i + 1 < data.Length && data[i + 1] == '\n')
            {
                return i + 2;
            }

            if (i + 2 < data.Length && data[i + 1] == '\r' && data[i + 2] == '\n')
            {
                return i + 3;
            }
        }

        return -1;
    }

    private async Task<bool> FillAsync(int capacityLimit, CancellationToken cancellationToken)
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, Buffered);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            // Grow only as far as the limit: the limit is what keeps a hostile client from costing memory.
            var grown = Math.Min(Math.Max(_buffer.Length * 2, InitialCapacity), Math.Max(capacityLimit, _buffer.Length + 1));
            Array.Resize(ref _buffer, grown);
        }

        var read = await source.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
        _end += read;
        return read > 0;
    }
}
