using CapaKit.Bundle;

namespace CapaKit.Tool.Secrets;

/// <summary>Secrets a Kit needs before it can run: declared, used by at least one workload, and without a value.</summary>
public static class MissingSecrets
{
    /// <summary>The declared secrets some workload uses that <paramref name="source"/> has no value for, sorted.</summary>
    public static IReadOnlyList<string> Check(KitBundle bundle, ISecretSource source) =>
        [.. bundle.Secrets.Keys
            .Where(name => SecretGrants.WorkloadsUsing(bundle, name).Count > 0)
            .Where(name => !source.TryGet(name, out _))];

    /// <summary>One sentence naming the missing secrets and how to set them (for `up` to stop with).</summary>
    /// <param name="kitOption">How to name the Kit with <c>--kit</c> when it is not the one in the current folder.</param>
    public static string Describe(IReadOnlyList<string> missing, string? kitOption = null)
    {
        var kit = kitOption is null ? "" : $" --kit {kitOption}";
        return missing.Count == 1
            ? $"The Kit needs the secret '{missing[0]}', which has no value; set it with `dotnet capakit secrets set {missing[0]}{kit}` and run again."
            : $"The Kit needs secrets that have no value ({string.Join(", ", missing)}); set each with `dotnet capakit secrets set <name>{kit}` and run again.";
    }
}
