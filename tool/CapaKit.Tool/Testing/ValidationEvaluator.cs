using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CapaKit.Bundle;

namespace CapaKit.Tool.Testing;

/// <summary>Evaluates a Kit test's <c>$.path.op(value)</c> checks against the JSON form of a result.</summary>
public static class ValidationEvaluator
{
    /// <summary>Null when the check holds, else one sentence saying what was found instead.</summary>
    public static string? Check(KitTestValidation validation, JsonNode result)
    {
        var actual = Navigate(result, validation.Path);
        var expected = validation.Argument is { } arg ? JsonNode.Parse(arg.GetRawText()) : null;
        var holds = validation.Op switch
        {
            "exists" => actual is not null,
            "eq" => Same(actual, expected),
            "ne" => !Same(actual, expected),
            "contains" => actual switch
            {
                JsonArray array => array.Any(item => Same(item, expected)),
                JsonValue value when value.TryGetValue<string>(out var text) && expected?.GetValueKind() == JsonValueKind.String => text.Contains(expected.GetValue<string>(), StringComparison.Ordinal),
                _ => false,
            },
            "matches" => actual is JsonValue v && v.TryGetValue<string>(out var s) && expected?.GetValueKind() == JsonValueKind.String
                && Regex.IsMatch(s, expected.GetValue<string>(), RegexOptions.None, TimeSpan.FromSeconds(1)),
            "gt" or "gte" or "lt" or "lte" => Number(actual) is { } a && Number(expected) is { } b && validation.Op switch
            {
                "gt" => a > b,
                "gte" => a >= b,
                "lt" => a < b,
                _ => a <= b,
            },
            _ => false,
        };
        return holds ? null : $"{validation.Expression} failed: $.{validation.Path} is {Describe(actual)}";
    }

    public static JsonNode? Navigate(JsonNode? node, string path)
    {
        foreach (var part in path.Split('.'))
        {
            node = node switch
            {
                JsonObject obj => obj[part],
                JsonArray array when int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < array.Count => array[i],
                _ => null,
            };
            if (node is null)
            {
                return null;
            }
        }
        return node;
    }

    private static bool Same(JsonNode? a, JsonNode? b)
    {
        if (Number(a) is { } x && Number(b) is { } y)
        {
            return x == y;
        }
        return JsonNode.DeepEquals(a, b);
    }

    private static double? Number(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.Number
            ? double.Parse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture)
            : null;

    public static string Describe(JsonNode? node)
    {
        var text = node?.ToJsonString() ?? "absent";
        return text.Length > 200 ? text[..200] + "…" : text;
    }
}
