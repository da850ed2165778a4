using System.Text.Json;

namespace CapaKit.Bundle;

/// <summary>A Kit's own tests (<c>tests.json</c>, compiled from capability-test.yml).</summary>
public sealed record KitTests
{
    public int BundleVersion { get; init; } = BundleFormat.CurrentVersion;
    public List<KitTestCase> Tests { get; init; } = [];
}

public sealed record KitTestCase
{
    public required string Id { get; init; }
    /// <summary><c>mcp</c> (call a tool through the gateway) or <c>exec</c> (run a command in a workload's sandbox).</summary>
    public required string Kind { get; init; }
    public string? ExposedPath { get; init; }
    public string? Workload { get; init; }
    public string? Tool { get; init; }
    public JsonElement? Inputs { get; init; }
    public List<string>? Command { get; init; }
    /// <summary>The phase whose policy an exec test runs under (default start).</summary>
    public string? Phase { get; init; }
    public List<KitTestValidation> Validations { get; init; } = [];
    /// <summary>Result paths to print with the outcome.</summary>
    public List<string> VerboseOutput { get; init; } = [];
}

/// <summary><c>$.path.op(argument)</c>, e.g. <c>$.text.eq("hello world")</c>.</summary>
public sealed record KitTestValidation
{
    public required string Expression { get; init; }
    /// <summary>Dotted path into the result, e.g. <c>text</c> or <c>structured.items</c>.</summary>
    public required string Path { get; init; }
    /// <summary>One of <see cref="Operators"/>.</summary>
    public required string Op { get; init; }
    public JsonElement? Argument { get; init; }

    public static readonly IReadOnlyList<string> Operators = ["eq", "ne", "contains", "gt", "gte", "lt", "lte", "exists", "matches"];
}
