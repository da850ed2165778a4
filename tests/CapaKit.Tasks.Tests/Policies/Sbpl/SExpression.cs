using System.Globalization;
using System.Text;

namespace CapaKit.Tasks.Tests.Policies.Sbpl;

/// <summary>One node of an SBPL profile as read, before any meaning is given to it.</summary>
public abstract record SExpression;

public sealed record SList(IReadOnlyList<SExpression> Items) : SExpression
{
    /// <summary>The leading symbol, e.g. <c>allow</c> in <c>(allow file-read* ...)</c>; null when the list does not start with one.</summary>
    public string? Head => Items.Count > 0 && Items[0] is SSymbol symbol ? symbol.Name : null;

    public IEnumerable<SExpression> Arguments => Items.Skip(1);

    public override string ToString() => "(" + string.Join(' ', Items) + ")";
}

public sealed record SSymbol(string Name) : SExpression
{
    public override string ToString() => Name;
}

public sealed record SString(string Value) : SExpression
{
    public override string ToString() => "\"" + Value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}

/// <summary>A regex literal, <c>#"..."</c>, kept as written.</summary>
public sealed record SRegex(string Pattern) : SExpression
{
    public override string ToString() => "#\"" + Pattern + "\"";
}

public sealed record SNumber(long Value) : SExpression
{
    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);
}

public sealed class SbplException(string message) : Exception(message);

/// <summary>Reads SBPL text into S-expressions: lists, symbols, strings, <c>#"regex"</c> literals, numbers, <c>;</c> comments.</summary>
public static class SExpressionReader
{
    public static IReadOnlyList<SExpression> ReadAll(string text)
    {
        var position = 0;
        var forms = new List<SExpression>();
        while (true)
        {
            SkipBlanks(text, ref position);
            if (position >= text.Length)
            {
                return forms;
            }
            forms.Add(Read(text, ref position));
        }
    }

    private static SExpression Read(string text, ref int position)
    {
        SkipBlanks(text, ref position);
        if (position >= text.Length)
        {
            throw new SbplException("Unexpected end of profile.");
        }
        var c = text[position];
        switch (c)
        {
            case '(':
                position++;
                var items = new List<SExpression>();
                while (true)
                {
                    SkipBlanks(text, ref position);
                    if (position >= text.Length)
                    {
                        throw new SbplException("Unclosed '('.");
                    }
                    if (text[position] == ')')
                    {
                        position++;
                        return new SList(items);
                    }
                    items.Add(Read(text, ref position));
                }
            case ')':
                throw new SbplException($"Unexpected ')' at offset {position}.");
            case '"':
                return new SString(ReadString(text, ref position));
            case '#' when position + 1 < text.Length && text[position + 1] == '"':
                position++;
                return new SRegex(ReadRegex(text, ref position));
            case '#' when position + 1 < text.Length && text[position + 1] == '|':
                throw new SbplException("Block comments (#| |#) are not supported by this checker.");
            default:
                var start = position;
                while (position < text.Length && !char.IsWhiteSpace(text[position]) && text[position] is not ('(' or ')' or '"' or ';'))
                {
                    position++;
                }
                var atom = text[start..position];
                return long.TryParse(atom, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
                    ? new SNumber(number)
                    : new SSymbol(atom);
        }
    }

    private static string ReadString(string text, ref int position)
    {
        position++; // opening quote
        var value = new StringBuilder();
        while (position < text.Length)
        {
            var c = text[position++];
            if (c == '"')
            {
                return value.ToString();
            }
            if (c == '\\')
            {
                if (position >= text.Length || text[position] is not ('"' or '\\'))
                {
                    throw new SbplException("Only \\\" and \\\\ escapes are supported in strings.");
                }
                c = text[position++];
            }
            value.Append(c);
        }
        throw new SbplException("Unterminated string.");
    }

    // Inside #"..." backslashes belong to the regex; only \" does not end the literal.
    private static string ReadRegex(string text, ref int position)
    {
        position++; // opening quote
        var value = new StringBuilder();
        while (position < text.Length)
        {
            var c = text[position++];
            if (c == '"')
            {
                return value.ToString();
            }
            if (c == '\\' && position < text.Length && text[position] == '"')
            {
                value.Append('"');
                position++;
                continue;
            }
            value.Append(c);
        }
        throw new SbplException("Unterminated regex literal.");
    }

    private static void SkipBlanks(string text, ref int position)
    {
        while (position < text.Length)
        {
            if (char.IsWhiteSpace(text[position]))
            {
                position++;
            }
            else if (text[position] == ';')
            {
                while (position < text.Length && text[position] != '\n')
                {
                    position++;
                }
            }
            else
            {
                return;
            }
        }
    }
}
