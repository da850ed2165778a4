using System.Text.Encodings.Web;
using System.Text.Json;
using CapaKit.Bundle;

namespace CapaKit.Tool.Mesh;

/// <summary>
/// Writes <c>CAPAKIT_CONNECTED_WORKLOADS</c>: a JSON array of <c>{workloadMid, workloadKey, endpoint, protocol, bind}</c>, one entry
/// per endpoint of each connected workload, all of a target's entries sharing its connection socket.
/// </summary>
/// <remarks>
/// Facts from the public TypeScript SDK (the reference client): it looks a peer up by workloadMid and endpoint path
/// (not by protocol), sends its requests to that path over <c>bind</c>, requires every field to be a non-empty
/// string, and accepts only the protocols http, mcp, oaic and a2a. Simpler clients take the first entry whose
/// workloadMid matches, so a target with no endpoints still gets one entry (http at "/"): the connection is declared
/// and its socket works, and without an entry such a client could not find it.
/// </remarks>
internal static class ConnectedWorkloadsWriter
{
    private static readonly EndpointModel FallbackEndpoint = new() { Protocol = "http", Path = "/" };

    // Read by programs, not put in HTML: keep '+', '&' and non-ASCII text readable rather than \u-escaped.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <param name="source">The workload that gets the list: it knows its peers by its own names for them.</param>
    public static string Write(KitBundle kit, string source, IEnumerable<(string Target, string Socket)> connections)
    {
        var names = kit.Workloads[source].ConnectionNames;
        var limits = kit.Workloads[source].ConnectionEndpoints;
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartArray();
            foreach (var (target, socket) in connections)
            {
                var endpoints = kit.Workloads[target].Endpoints;
                // A connection to an imported Kit's exposed path lists only the protocols exposed there.
                if (limits.TryGetValue(target, out var allowed))
                {
                    endpoints = endpoints.Where(e => allowed.Contains(e.Protocol)).ToList();
                }
                // An imported Kit's workload knows its peers by their names in its own manifest, and an importer knows
                // an imported exposed path by its import workload's name; the socket is the same under each name.
                foreach (var name in names.TryGetValue(target, out var known) ? known : [target])
                {
                    foreach (var endpoint in endpoints.Count > 0 ? endpoints : [FallbackEndpoint])
                    {
                        writer.WriteStartObject();
                        // Both eras of the public SDK: workloadMid (what public Kits pin) and workloadKey (the newest).
                        writer.WriteString("workloadMid", name);
                        writer.WriteString("workloadKey", name);
                        writer.WriteString("endpoint", endpoint.Path);
                        writer.WriteString("protocol", endpoint.Protocol);
                        writer.WriteString("bind", "unix:" + socket);
                        writer.WriteEndObject();
                    }
                }
            }
            writer.WriteEndArray();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
