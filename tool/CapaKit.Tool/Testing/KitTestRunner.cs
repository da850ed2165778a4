using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using CapaKit.Bundle;
using CapaKit.Tool.Kits;
using CapaKit.Tool.Output;
using CapaKit.Tool.Sandbox;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace CapaKit.Tool.Testing;

public sealed record KitTestOutcome(KitTestCase Test, bool Passed, TimeSpan Duration, JsonNode? Result, IReadOnlyList<string> Failures);

/// <summary>
/// Runs a Kit's compiled tests: an mcp test calls a tool through the gateway with a real MCP client; an exec test
/// runs its command in the workload's sandbox. Each result becomes JSON the validations are evaluated against.
/// </summary>
public sealed class KitTestRunner(KitProject kit, KitBundle bundle, Uri gateway, ConsoleOutput output,
    IReadOnlyDictionary<string, string> options, IReadOnlyDictionary<string, string> mounts)
{
    public async Task<KitTestOutcome> RunAsync(KitTestCase test, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        JsonNode? result;
        try
        {
            result = test.Kind == "mcp" ? await CallToolAsync(test, ct) : await ExecAsync(test, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return new KitTestOutcome(test, false, watch.Elapsed, null, [$"{test.Kind} request failed: {e.Message}"]);
        }
        var failures = test.Validations.Select(v => ValidationEvaluator.Check(v, result!)).OfType<string>().ToList();
        return new KitTestOutcome(test, failures.Count == 0, watch.Elapsed, result, failures);
    }

    private async Task<JsonNode> CallToolAsync(KitTestCase test, CancellationToken ct)
    {
        var endpoint = new Uri(gateway, test.ExposedPath!.TrimStart('/'));
        await using var transport = new HttpClientTransport(new HttpClientTransportOptions { Endpoint = endpoint, Name = "capakit-test" });
        await using var client = await McpClient.CreateAsync(transport, cancellationToken: ct);
        var arguments = test.Inputs is { ValueKind: JsonValueKind.Object } inputs
            ? inputs.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone())
            : new Dictionary<string, object?>();
        var response = await client.CallToolAsync(test.Tool!, arguments, cancellationToken: ct);
        var text = string.Concat(response.Content.OfType<TextContentBlock>().Select(t => t.Text));
        return new JsonObject
        {
            ["text"] = text,
            ["is_error"] = response.IsError ?? false,
            ["structured"] = response.StructuredContent is { } structured ? JsonNode.Parse(structured.GetRawText()) : null,
            ["content"] = JsonNode.Parse(JsonSerializer.Serialize(response.Content, McpJsonUtilities.DefaultOptions)),
        };
    }

    private async Task<JsonNode> ExecAsync(KitTestCase test, CancellationToken ct)
    {
        var workload = bundle.Workloads[test.Workload!];
        var result = await WorkloadRunner.RunAsync(new WorkloadRunRequest
        {
            Kit = kit,
            Bundle = bundle,
            Workload = workload,
            Phase = test.Phase ?? "start",
            Argv = test.Command!,
            Options = options,
            Mounts = mounts.Where(m => workload.Mounts.Any(w => w.Mount == m.Key)).ToDictionary(),
            Capture = true,
        }, output, ct);
        return new JsonObject
        {
            ["exit_code"] = result.ExitCode,
            ["stdout"] = result.StandardOutput,
            ["stderr"] = result.StandardError,
            ["timed_out"] = result.TimedOut,
            ["duration_ms"] = (long)result.Duration.TotalMilliseconds,
        };
    }
}
