using System.Text.Encodings.Web;
using System.Text.Json;

namespace CapaKit.Tool.Secrets;

/// <summary>
/// The secrets.json format as the configuration system reads it: one JSON object; nested objects flatten to
/// <c>outer:inner</c> keys and arrays to <c>name:0</c>; numbers and booleans are their text; keys are
/// case-insensitive. Writing produces the flat object `dotnet user-secrets` itself writes.
/// </summary>
internal static class UserSecretsJson
{
    private static readonly JsonDocumentOptions ReadOptions = new()
    {
        // `dotnet user-secrets` and the configuration reader both tolerate these; hand-edited files use them.
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    private static readonly JsonWriterOptions WriteOptions = new()
    {
        Indented = true,
        // No HTML escaping: the file is read by people and by the configuration reader, never put in a page.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static OrderedDictionary<string, string> Parse(ReadOnlySpan<byte> bytes, string path)
    {
        var values = new OrderedDictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            bytes = bytes[3..]; // `dotnet user-secrets` writes a UTF-8 BOM.
        }
        if (bytes.Trim((ReadOnlySpan<byte>)" \t\r\n"u8).IsEmpty)
        {
            return values;
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes.ToArray(), ReadOptions);
        }
        catch (JsonException e)
        {
            // Only the position: the parser's own message quotes the text it choked on, which may be a secret.
            throw new CapaKitException(ExitCodes.Usage,
                $"The user-secrets file {path} is not valid JSON (line {e.LineNumber + 1}); fix it, or delete it and set the secrets again.");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new CapaKitException(ExitCodes.Usage,
                    $"The user-secrets file {path} must hold one JSON object; fix it, or delete it and set the secrets again.");
            }
            Flatten(document.RootElement, null, values, path);
        }
        return values;
    }

    public static byte[] Serialize(IEnumerable<KeyValuePair<string, string>> values)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriteOptions))
        {
            writer.WriteStartObject();
            foreach (var (key, value) in values)
            {
                writer.WriteString(key, value);
            }
            writer.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    private static void Flatten(JsonElement element, string? prefix, OrderedDictionary<string, string> values, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Flatten(property.Value, Join(prefix, property.Name), values, path);
                }
                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Flatten(item, Join(prefix, (index++).ToString(System.Globalization.CultureInfo.InvariantCulture)), values, path);
                }
                break;
            default:
                // Null reads as "" like the configuration reader does; empty objects and arrays add nothing.
                var key = prefix!;
                if (!values.TryAdd(key, element.ValueKind == JsonValueKind.String ? element.GetString()! : element.ValueKind == JsonValueKind.Null ? "" : element.GetRawText()))
                {
                    throw new CapaKitException(ExitCodes.Usage,
                        $"The user-secrets file {path} has the key '{key}' twice (keys are case-insensitive); keep one and run again.");
                }
                break;
        }
    }

    private static string Join(string? prefix, string name) => prefix is null ? name : prefix + ":" + name;
}
