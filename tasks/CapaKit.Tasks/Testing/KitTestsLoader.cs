using System.Text.Json;
using System.Text.RegularExpressions;
using CapaKit.Bundle;
using CapaKit.Tasks.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace CapaKit.Tasks.Testing;

/// <summary>
/// Compiles <c>capability-test.yml</c> into the bundle's <c>tests.json</c>, checking each test's kind, target
/// (an exposed path or a workload of this Kit), request and validation expressions, with file:line errors.
/// </summary>
public static partial class KitTestsLoader
{
    [GeneratedRegex(@"^\$\.(?<path>[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*)\.(?<op>[a-z]+)\((?<arg>.*)\)$", RegexOptions.Singleline)]
    private static partial Regex ValidationSyntax();

    public static KitTests? Load(string yaml, string file, KitBundle kit, DiagnosticBag diagnostics)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            diagnostics.Error(DiagnosticCodes.TestsSyntax, $"capability-test.yml is not valid YAML: {(e.InnerException?.Message ?? e.Message).TrimEnd('.')}; fix the syntax at this position.",
                file, (int)e.Start.Line, (int)e.Start.Column);
            return null;
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root
            || !root.Children.TryGetValue(new YamlScalarNode("tests"), out var testsNode) || testsNode is not YamlSequenceNode list)
        {
            diagnostics.Error(DiagnosticCodes.TestsSyntax, "capability-test.yml needs a top-level 'tests' list.", file, 1, 1);
            return null;
        }

        var result = new KitTests();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in list)
        {
            if (Case(item, file, kit, diagnostics) is { } test)
            {
                if (!ids.Add(test.Id))
                {
                    diagnostics.Error(DiagnosticCodes.BadTest, $"Test id '{test.Id}' is used twice; give each test its own id.", file, (int)item.Start.Line, (int)item.Start.Column);
                    continue;
                }
                result.Tests.Add(test);
            }
        }
        return result;
    }

    private static KitTestCase? Case(YamlNode node, string file, KitBundle kit, DiagnosticBag diagnostics)
    {
        void Error(string message, YamlNode at) => diagnostics.Error(DiagnosticCodes.BadTest, message, file, (int)at.Start.Line, (int)at.Start.Column);
        if (node is not YamlMappingNode map)
        {
            Error("Each test must be a mapping with id, kind, target, request and validations.", node);
            return null;
        }
        string? Text(YamlMappingNode m, string key) => m.Children.TryGetValue(new YamlScalarNode(key), out var v) && v is YamlScalarNode s ? s.Value : null;
        YamlNode? Child(YamlMappingNode m, string key) => m.Children.TryGetValue(new YamlScalarNode(key), out var v) ? v : null;

        var id = Text(map, "id");
        if (string.IsNullOrWhiteSpace(id))
        {
            Error("A test has no 'id'; give it a short unique name.", map);
            return null;
        }
        var kind = Text(map, "kind");
        if (kind is not ("mcp" or "exec"))
        {
            Error($"Test '{id}' has kind '{kind}'; the kinds are mcp and exec.", Child(map, "kind") ?? map);
            return null;
        }

        var target = Child(map, "target") as YamlMappingNode;
        var request = Child(map, "request") as YamlMappingNode;
        if (target is null || request is null)
        {
            Error($"Test '{id}' needs a 'target' and a 'request' mapping.", map);
            return null;
        }

        string? exposedPath = null, workload = null, tool = null, phase = null;
        JsonElement? inputs = null;
        List<string>? command = null;
        if (kind == "mcp")
        {
            exposedPath = Text(target, "exposed_path");
            var expose = kit.Expose.FirstOrDefault(e => e.Path == exposedPath);
            if (expose is null)
            {
                Error($"Test '{id}' targets exposed path '{exposedPath}', which the Kit does not expose (exposed: {string.Join(", ", kit.Expose.Select(e => e.Path))}).", Child(target, "exposed_path") ?? target);
                return null;
            }
            if (!expose.Endpoints.Contains("mcp"))
            {
                Error($"Test '{id}' is an mcp test, but '{exposedPath}' exposes no mcp endpoint.", Child(target, "exposed_path")!);
                return null;
            }
            tool = Text(request, "tool");
            if (string.IsNullOrWhiteSpace(tool))
            {
                Error($"Test '{id}' needs request.tool, the MCP tool to call.", request);
                return null;
            }
            inputs = Child(request, "inputs") is { } inputNode ? YamlJson.ToElement(YamlJson.ToJson(inputNode)) : null;
        }
        else
        {
            workload = Text(target, "workload");
            if (workload is not null && kit.FindWorkload(workload) is { } found)
            {
                workload = found.Name;
            }
            else
            {
                Error($"Test '{id}' targets workload '{workload}', which is not a workload of this Kit (workloads: {string.Join(", ", kit.Workloads.Keys)}).", Child(target, "workload") ?? target);
                return null;
            }
            phase = Text(target, "phase") ?? Text(request, "phase");
            if (Child(request, "command") is not YamlSequenceNode args || args.Children.Count == 0 || args.Children.Any(a => a is not YamlScalarNode))
            {
                Error($"Test '{id}' needs request.command, a list of the command and its arguments.", Child(request, "command") ?? request);
                return null;
            }
            command = args.Children.Select(a => ((YamlScalarNode)a).Value ?? "").ToList();
        }

        var validations = new List<KitTestValidation>();
        if (Child(map, "validations") is YamlSequenceNode checks)
        {
            foreach (var check in checks)
            {
                if (check is YamlMappingNode { Children.Count: 1 } split && split.Children.Keys.Single() is YamlScalarNode { Value: { } head } && head.StartsWith("$.", StringComparison.Ordinal))
                {
                    // `- $.text.eq("a: b")` unquoted: YAML reads the ': ' inside as a key and a value.
                    Error($"Validation '{head}: …' of test '{id}' was read as a YAML mapping because it holds ': '; put the whole validation in single quotes, e.g. '$.text.eq(\"a: b\")'.", check);
                    continue;
                }
                if (check is not YamlScalarNode { Value: { } expression } || Validation(expression) is not { } parsed)
                {
                    Error($"Validation {check} of test '{id}' is not of the form $.path.op(value), e.g. $.text.eq(\"hello world\"); the operators are {string.Join(", ", KitTestValidation.Operators)}.", check);
                    continue;
                }
                validations.Add(parsed);
            }
        }
        var verbose = Child(map, "verbose_output") is YamlSequenceNode outputs
            ? outputs.Children.OfType<YamlScalarNode>().Select(o => (o.Value ?? "").TrimStart('$', '.')).ToList()
            : [];
        return new KitTestCase
        {
            Id = id, Kind = kind, ExposedPath = exposedPath, Workload = workload, Tool = tool, Inputs = inputs, Command = command, Phase = phase,
            Validations = validations, VerboseOutput = verbose,
        };
    }

    /// <summary>Parses <c>$.path.op(argument)</c>; the argument is JSON (a string needs quotes), empty for exists.</summary>
    public static KitTestValidation? Validation(string expression)
    {
        var match = ValidationSyntax().Match(expression.Trim());
        if (!match.Success || !KitTestValidation.Operators.Contains(match.Groups["op"].Value))
        {
            return null;
        }
        var text = match.Groups["arg"].Value.Trim();
        JsonElement? argument = null;
        if (text.Length > 0)
        {
            try
            {
                using var document = JsonDocument.Parse(text);
                argument = document.RootElement.Clone();
            }
            catch (JsonException)
            {
                return null;
            }
        }
        else if (match.Groups["op"].Value != "exists")
        {
            return null;
        }
        return new KitTestValidation { Expression = expression, Path = match.Groups["path"].Value, Op = match.Groups["op"].Value, Argument = argument };
    }
}
