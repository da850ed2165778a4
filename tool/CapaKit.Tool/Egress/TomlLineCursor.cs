using System.Globalization;
using System.Text;

namespace CapaKit.Tool.Egress;

/// <summary>
/// Reads the pieces of one TOML line that registry discovery needs: table headers, dotted keys, strings and
/// inline tables of strings. Not a TOML parser; it gives up quietly on anything else.
/// </summary>
internal sealed class TomlLineCursor(string line)
{
    private int _position;

    public bool AtEnd => _position >= line.Length;

    public char Current => line[_position];

    public void SkipSpace()
    {
        while (!AtEnd && Current is ' ' or '\t')
        {
            _position++;
        }
    }

    public bool TryConsume(char expected)
    {
        SkipSpace();
        if (AtEnd || Current != expected)
        {
            return false;
        }

        _position++;
        return true;
    }

    /// <summary>Reads <c>[a.b]</c> or <c>[[a.b]]</c>.</summary>
    public bool TryReadTableHeader(out IReadOnlyList<string> path)
    {
        path = [];
        var isArray = line.AsSpan(_position).StartsWith("[[");
        _position += isArray ? 2 : 1;
        if (!TryReadKeyPath(out path) || !TryConsume(']'))
        {
            return false;
        }

        return !isArray || TryConsume(']');
    }

    /// <summary>Reads a key such as <c>install.scopes."@my-org"</c>.</summary>
    public bool TryReadKeyPath(out IReadOnlyList<string> path)
    {
        var parts = new List<string>();
        path = parts;
        while (true)
        {
            SkipSpace();
            if (AtEnd)
            {
                return false;
            }

            string? part;
            if (Current is '"' or '\'')
            {
                part = ReadString();
            }
            else
            {
                var start = _position;
                while (!AtEnd && (char.IsAsciiLetterOrDigit(Current) || Current is '_' or '-'))
                {
                    _position++;
                }

                part = _position > start ? line[start.._position] : null;
            }

            if (part is null)
            {
                return false;
            }

            parts.Add(part);
            if (!TryConsume('.'))
            {
                return true;
            }
        }
    }

    /// <summary>After <c>key =</c>: the string value, or every string inside an inline table, each with its full key path.</summary>
    public IEnumerable<(IReadOnlyList<string> Path, string Value)> ReadStringValues(IReadOnlyList<string> keyPath)
    {
        var found = new List<(IReadOnlyList<string>, string)>();
        ReadValue(keyPath, found);
        return found;
    }

    private void ReadValue(IReadOnlyList<string> keyPath, List<(IReadOnlyList<string>, string)> found)
    {
        SkipSpace();
        if (AtEnd)
        {
            return;
        }

        if (Current is '"' or '\'')
        {
            // Multi-line strings ("""...""") span lines this reader does not join; registry URLs never need them.
            if (line.AsSpan(_position).StartsWith("\"\"\"") || line.AsSpan(_position).StartsWith("'''"))
            {
                _position = line.Length;
                return;
            }

            if (ReadString() is { } value)
            {
                found.Add((keyPath, value));
            }

            return;
        }

        if (Current == '{')
        {
            _position++;
            while (true)
            {
                SkipSpace();
                if (AtEnd || Current == '}' || !TryReadKeyPath(out var key) || !TryConsume('='))
                {
                    return;
                }

                ReadValue([.. keyPath, .. key], found);
                if (!TryConsume(','))
                {
                    return;
                }
            }
        }

        // Numbers, booleans, arrays: skip to the next separator.
        while (!AtEnd && Current is not (',' or '}'))
        {
            _position++;
        }
    }

    /// <summary>A basic ("...", with escapes) or literal ('...') string; null when unterminated.</summary>
    private string? ReadString()
    {
        var quote = Current;
        _position++;
        var text = new StringBuilder();
        while (!AtEnd)
        {
            var c = Current;
            _position++;
            if (c == quote)
            {
                return text.ToString();
            }

            if (c == '\\' && quote == '"' && !AtEnd)
            {
                var escaped = Current;
                _position++;
                switch (escaped)
                {
                    case 'n': text.Append('\n'); break;
                    case 't': text.Append('\t'); break;
                    case 'r': text.Append('\r'); break;
                    case 'u' when TryReadHex(4, out var bmp): text.Append((char)bmp); break;
                    case 'U' when TryReadHex(8, out var astral): text.Append(char.ConvertFromUtf32(astral)); break;
                    default: text.Append(escaped); break;
                }

                continue;
            }

            text.Append(c);
        }

        return null;
    }

    private bool TryReadHex(int digits, out int value)
    {
        value = 0;
        if (_position + digits > line.Length
            || !int.TryParse(line.AsSpan(_position, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value)
            || (digits == 8 && value is > 0x10FFFF or (>= 0xD800 and <= 0xDFFF)))
        {
            return false;
        }

        _position += digits;
        return true;
    }
}
