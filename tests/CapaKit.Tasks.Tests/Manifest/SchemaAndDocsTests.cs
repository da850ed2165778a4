using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CapaKit.Tasks.Diagnostics;
using CapaKit.Tasks.Tests.Support;
using Json.Schema;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace CapaKit.Tasks.Tests.Manifest;

[TestClass]
public sealed class SchemaAndDocsTests
{
    private static readonly JsonSchema Schema = JsonSchema.FromText(File.ReadAllText(RepoPaths.Combine("sdk", "CapaKit.Sdk", "schema", "capability.schema.json")));

    public static IEnumerable<object[]> SampleManifests() =>
        Directory.EnumerateDirectories(RepoPaths.Combine("samples"))
            .Select(d => Path.Combine(d, "capability.yml"))
            .Where(File.Exists)
            .Select(f => new object[] { Path.GetRelativePath(RepoPaths.Root, f) });

    [TestMethod]
    [DynamicData(nameof(SampleManifests))]
    public void TheSchemaAcceptsTheSamples(string manifest)
    {
        var result = Evaluate(File.ReadAllText(RepoPaths.Combine(manifest)));
        Assert.IsTrue(result.IsValid, Describe(result));
    }

    [TestMethod]
    [DataRow("name: Shop\nversion: '1'\nworkloads: {a: {runtime: {source: {toolchain: bun, start: {command: x}}}}}", DisplayName = "uppercase kit name")]
    [DataRow("name: shop\nversion: '1'\nworkloads: {a: {runtime: {source: {toolchain: deno, start: {command: x}}}}}", DisplayName = "unknown toolchain")]
    [DataRow("name: shop\nversion: '1'\nworkloads: {a: {endpoints: [grpc], runtime: {source: {toolchain: bun, start: {command: x}}}}}", DisplayName = "bad protocol")]
    [DataRow("name: shop\nversion: '1'\nworkloads: {a: {runtime: {source: {toolchain: bun, prepare: {command: x}}}}}", DisplayName = "no start")]
    [DataRow("name: shop\nversion: '1'\nhost_mounts: {m: {access: all}}\nworkloads: {a: {runtime: {source: {toolchain: bun, start: {command: x}}}}}", DisplayName = "bad access")]
    [DataRow("name: shop\nworkloads: {a: {runtime: {source: {toolchain: bun, start: {command: x}}}}}", DisplayName = "no version")]
    [DataRow("name: shop\nversion: '1'\nworkloads: {a: {runtime: {source: {toolchain: bun, prepare: {command: x, registries: [http://npm.example.com/]}, start: {command: x}}}}}", DisplayName = "http registry")]
    [DataRow("name: shop\nversion: '1'\nworkloads: {a: {runtime: {source: {toolchain: bun, prepare: {command: x, registries: []}, start: {command: x}}}}}", DisplayName = "no registries")]
    [DataRow("name: shop\nversion: '1'\nworkloads: {a: {runtime: {source: {toolchain: bun, prepare: {command: x, registries: registry.npmjs.org}, start: {command: x}}}}}", DisplayName = "registries not a list")]
    public void TheSchemaRejectsWhatTheCompilerRejects(string yaml)
    {
        Assert.IsFalse(Evaluate(yaml).IsValid);
    }

    [TestMethod]
    public void TheSchemaAcceptsRegistries()
    {
        var result = Evaluate("name: shop\nversion: '1'\nworkloads: {a: {runtime: {source: {toolchain: bun, prepare: {command: x, registries: [registry.npmjs.org, 'https://npm.pkg.github.com/acme', '*.example.com']}, start: {command: x}}}}}");
        Assert.IsTrue(result.IsValid, Describe(result));
    }

    [TestMethod]
    public void EveryCodeIsDocumented()
    {
        var doc = File.ReadAllText(RepoPaths.Combine("docs", "errors.md"));
        foreach (var code in DiagnosticCodes.All)
        {
            StringAssert.Contains(doc, "## " + code.ToLowerInvariant(), $"docs/errors.md has no section for {code}");
        }
        Assert.AreEqual(DiagnosticCodes.All.Count, DiagnosticCodes.All.Distinct().Count(), "two names share a code");
    }

    private static EvaluationResults Evaluate(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var json = ToJson(stream.Documents[0].RootNode);
        using var document = JsonDocument.Parse(json?.ToJsonString() ?? "null");
        return Schema.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
    }

    private static string Describe(EvaluationResults result) =>
        string.Join("\n", (result.Details ?? []).Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")));

    /// <summary>YAML 1.2 core-schema typing of plain scalars, as editors apply it.</summary>
    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(kv => KeyValuePair.Create(((YamlScalarNode)kv.Key).Value!, ToJson(kv.Value)))),
        YamlSequenceNode seq => new JsonArray(seq.Children.Select(ToJson).ToArray()),
        YamlScalarNode { Style: ScalarStyle.Plain } s when s.Value is "true" or "false" => JsonValue.Create(s.Value == "true"),
        YamlScalarNode { Style: ScalarStyle.Plain } s when s.Value is null or "" or "~" or "null" => null,
        YamlScalarNode { Style: ScalarStyle.Plain } s when double.TryParse(s.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) => JsonValue.Create(n),
        YamlScalarNode s => JsonValue.Create(s.Value),
        _ => throw new InvalidOperationException(),
    };
}
