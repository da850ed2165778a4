using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Net.Http.Headers;

namespace CapaKit.Tool.Secrets;

/// <summary>
/// The workload bridge's wire format (CAPAKIT_WORKLOAD_BRIDGE_BIND): HTTP <c>POST /rpc</c>, body one JSON line
/// <c>{"id","op","params"}</c>, answer one JSON line <c>{"id","ok":{...}}</c> or <c>{"id","error":{"message"}}</c>.
/// Both eras of the public SDK: <c>resolve_secret</c> names the secret as <c>secret_key</c> (newest) or <c>secret_mid</c>
/// (the one public Kits pin); <c>workload_ready</c> (newest only) is answered with <c>null</c> and never required.
/// </summary>
public static class BridgeProtocol
{
    public const string Path = "/rpc";
    public const string ContentType = "application/x-capakit-workload-bridge-jsonl";
    /// <summary>Largest JSON line either side sends, without its line break (the reference client's limit).</summary>
    public const int MaxFrameBytes = 4 * 1024 * 1024;
    public const string ResolveSecret = "resolve_secret";
    public const string WorkloadReady = "workload_ready";

    /// <summary>Longest op or secret name echoed into answers and logs; longer ones are cut (they are never valid anyway).</summary>
    private const int MaxEchoLength = 128;

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>True for the bridge media type, with or without parameters (<c>; charset=utf-8</c>), in any case.</summary>
    public static bool IsBridgeContentType(string? header) =>
        MediaTypeHeaderValue.TryParse(header, out var parsed)
        && parsed.MediaType.Equals(ContentType, StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads one request frame (without its line break). Never throws for bad input: it reports a problem.</summary>
    internal static BridgeCall Parse(ReadOnlySpan<byte> frame)
    {
        if (frame.IndexOfAny((byte)'\n', (byte)'\r') >= 0)
        {
            return BridgeCall.Bad(null, "the body must be exactly one JSON line (one request per POST)");
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(frame.ToArray());
        }
        catch (JsonException)
        {
            return BridgeCall.Bad(null, "the request is not valid JSON; send one JSON object {\"id\",\"op\",\"params\"} per line");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return BridgeCall.Bad(null, "the request must be a JSON object {\"id\",\"op\",\"params\"}");
            }
            if (!root.TryGetProperty("id", out var idElement) || idElement.ValueKind is not (JsonValueKind.String or JsonValueKind.Number))
            {
                return BridgeCall.Bad(null, "the request has no \"id\" (a string)");
            }
            var id = idElement.Clone();
            if (!root.TryGetProperty("op", out var op) || op.ValueKind != JsonValueKind.String || op.GetString() is not { Length: > 0 } opName)
            {
                return BridgeCall.Bad(id, "the request has no \"op\" (a string such as resolve_secret)");
            }
            if (opName == WorkloadReady)
            {
                return new BridgeCall(id, opName, null, null);
            }
            if (opName != ResolveSecret)
            {
                return BridgeCall.Bad(id, $"unknown op '{Echo(opName)}'; this bridge serves {ResolveSecret} and {WorkloadReady}");
            }
            if (!root.TryGetProperty("params", out var parameters) || parameters.ValueKind != JsonValueKind.Object
                || !((SecretNameParameter(parameters, "secret_key") ?? SecretNameParameter(parameters, "secret_mid")) is { Length: > 0 } secretName))
            {
                return BridgeCall.Bad(id, $"{ResolveSecret} needs \"params\": {{\"secret_key\": \"<secret name>\"}} (or \"secret_mid\")");
            }
            return new BridgeCall(id, opName, Echo(secretName), null);
        }
    }

    private static string? SecretNameParameter(JsonElement parameters, string name) =>
        parameters.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>The answer to <c>workload_ready</c>: <c>{"id","ok":null}</c>.</summary>
    internal static byte[] OkNull(JsonElement? id) => Line(id, writer => writer.WriteNull("ok"));

    internal static byte[] Ok(JsonElement? id, string value) => Line(id, writer =>
    {
        writer.WriteStartObject("ok");
        writer.WriteString("value", value);
        writer.WriteEndObject();
    });

    internal static byte[] Error(JsonElement? id, string message) => Line(id, writer =>
    {
        writer.WriteStartObject("error");
        writer.WriteString("message", message);
        writer.WriteEndObject();
    });

    /// <summary>Cuts workload-chosen text before it reaches an answer or a log line.</summary>
    internal static string Echo(string text)
    {
        var cut = text.Length <= MaxEchoLength ? text : text[..MaxEchoLength] + "...";
        // No control characters: a forged line break must not start a fake line in the runtime's log.
        return cut.Any(char.IsControl) ? new string([.. cut.Select(c => char.IsControl(c) ? '?' : c)]) : cut;
    }

    private static byte[] Line(JsonElement? id, Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("id");
            if (id is { } known)
            {
                known.WriteTo(writer);
            }
            else
            {
                // The request's id could not be read; JSON-RPC answers such requests with a null id too.
                writer.WriteNullValue();
            }
            body(writer);
            writer.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }
}

/// <summary>A parsed request: either a call (<see cref="Problem"/> null) or what is wrong with it, with its id when known.</summary>
internal sealed record BridgeCall(JsonElement? Id, string? Op, string? SecretName, string? Problem)
{
    public static BridgeCall Bad(JsonElement? id, string problem) => new(id, null, null, problem);
}
