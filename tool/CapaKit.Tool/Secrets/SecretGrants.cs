using CapaKit.Bundle;

namespace CapaKit.Tool.Secrets;

/// <summary>Which workload may resolve which secret, from the bundle.</summary>
public static class SecretGrants
{
    /// <summary>The secrets <paramref name="workload"/> may resolve: those its manifest entry lists that the Kit also declares.</summary>
    public static IReadOnlyCollection<string> For(KitBundle bundle, string workload) =>
        bundle.Workloads.TryGetValue(workload, out var model)
            ? model.Secrets.Where(bundle.Secrets.ContainsKey).ToHashSet(StringComparer.Ordinal)
            : [];

    /// <summary>The workloads that may resolve <paramref name="secret"/>, sorted.</summary>
    public static IReadOnlyList<string> WorkloadsUsing(KitBundle bundle, string secret) =>
        bundle.Secrets.ContainsKey(secret)
            ? [.. bundle.Workloads.Values.Where(w => w.Secrets.Contains(secret, StringComparer.Ordinal)).Select(w => w.Name).Order(StringComparer.Ordinal)]
            : [];
}
