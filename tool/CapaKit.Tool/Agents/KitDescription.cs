using System.Text.Json.Nodes;
using CapaKit.Bundle;
using CapaKit.Tool.Commands;
using CapaKit.Tool.Runtime;
using CapaKit.Tool.Sandbox;

namespace CapaKit.Tool.Agents;

/// <summary>What an agent needs to know about a Kit before it runs anything: workloads, phases, endpoints, exposed paths.</summary>
public static class KitDescription
{
    public static JsonObject Of(KitBundle bundle, string projectFile) => new()
    {
        ["name"] = bundle.Kit.Name,
        ["project"] = projectFile,
        ["workloads"] = new JsonArray([.. bundle.Workloads.Values.Select(w => (JsonNode)new JsonObject
        {
            ["name"] = w.Name,
            ["toolchain"] = w.Toolchain,
            ["phases"] = new JsonObject(w.Phases.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)new JsonObject
            {
                ["command"] = p.Value.Command,
                ["network"] = p.Value.Network,
            }))),
            ["endpoints"] = new JsonArray([.. w.Endpoints.Select(e => (JsonNode)new JsonObject { ["protocol"] = e.Protocol, ["path"] = e.Path })]),
            ["connections"] = new JsonArray([.. w.Connections.Select(c => (JsonNode)c)]),
        })]),
        ["expose"] = new JsonArray([.. bundle.Expose.Select(e => (JsonNode)new JsonObject
        {
            ["path"] = e.Path,
            ["target"] = e.Target,
            ["endpoints"] = new JsonArray([.. e.Endpoints.Select(x => (JsonNode)x)]),
            ["defaultMcp"] = e.DefaultMcp,
        })]),
    };

    /// <summary>Every Kit with a live supervisor, as `ps --format json` reports it.</summary>
    public static JsonArray Running()
    {
        var root = RuntimeFolder.UserRoot();
        IEnumerable<InstanceState> states = Directory.Exists(root)
            ? Directory.GetDirectories(root, "k-*")
                .Select(d => InstanceState.Read(Path.Combine(d, "state.json")))
                .Where(s => s is not null && s.IsAlive())
                .Select(s => s!)
                .OrderBy(s => s.Kit, StringComparer.Ordinal)
            : [];
        return new JsonArray([.. states.Select(s => (JsonNode)UpCommand.StateJson(s))]);
    }
}
