using CapaKit.Bundle;

namespace CapaKit.Tool.Secrets;

/// <summary>Which workload may resolve which secret, from the bundle.</summary>
public static class SecretGrants
{
    /// <summary>
    /// The secrets <paramref name="workload"/> may resolve (those its manifest entry lists that the Kit also declares):
    /// the name its code asks for → the name in the Kit's secret store (they differ for an imported Kit's secrets).
    /// </summary>
    public static IReadOnlyDictionary<string, string> For(KitBundle bundle, string workload) =>
        bundle.Workloads.TryGetValue(workload, out var model)
            ? model.Secrets.Where(bundle.Secrets.ContainsKey).ToDictionary(s => model.SecretNames.GetValueOrDefault(s, s), s => s, StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The workloads that may resolve <paramref name="secret"/>, sorted.</summary>
    public static IReadOnlyList<string> WorkloadsUsing(KitBundle bundle, string secret) =>
        bundle.Secrets.ContainsKey(secret)
            ? [.. bundle.Workloads.Values.Where(w => w.Secrets.Contains(secret, StringComparer.Ordinal)).Select(w => w.Name).Order(StringComparer.Ordinal)]
            : [];
}
