using CapaKit.Bundle;

namespace CapaKit.Tool.Mesh;

/// <summary>Who may call whom, from the bundle: the declared connections and, per target, the SPIFFE IDs it accepts.</summary>
internal sealed class MeshTopology
{
    private MeshTopology(List<(string Source, string Target)> connections, SortedDictionary<string, Dictionary<string, string>> sourcesByTarget)
    {
        Connections = connections;
        SourcesByTarget = sourcesByTarget;
    }

    /// <summary>Every declared source → target pair, in bundle order (workloads by name, connections as declared), without repeats.</summary>
    public IReadOnlyList<(string Source, string Target)> Connections { get; }

    /// <summary>Per target: SPIFFE ID → name of each workload that declares it in its connections.</summary>
    public SortedDictionary<string, Dictionary<string, string>> SourcesByTarget { get; }

    /// <summary>Every workload that needs its certificate: the sources and the targets.</summary>
    public IEnumerable<string> Workloads => Connections.SelectMany(c => new[] { c.Source, c.Target }).Distinct(StringComparer.Ordinal);

    public static MeshTopology From(KitBundle kit)
    {
        var connections = new List<(string, string)>();
        var sourcesByTarget = new SortedDictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var (name, workload) in kit.Workloads)
        {
            foreach (var target in workload.Connections.Distinct(StringComparer.Ordinal))
            {
                if (!kit.Workloads.ContainsKey(target))
                {
                    throw new InvalidDataException(
                        $"Workload '{name}' connects to '{target}', which is not a workload of Kit '{kit.Kit.Name}'; rebuild the Kit.");
                }
                connections.Add((name, target));
                if (!sourcesByTarget.TryGetValue(target, out var sources))
                {
                    sourcesByTarget[target] = sources = new Dictionary<string, string>(StringComparer.Ordinal);
                }
                sources[workload.Identity.SpiffeId] = name;
            }
        }
        return new MeshTopology(connections, sourcesByTarget);
    }
}
