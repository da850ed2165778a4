using CapaKit.Bundle;

namespace CapaKit.Tool.Secrets;

/// <summary>Opens the user-secrets store of a built Kit (by its UserSecretsId).</summary>
public static class KitUserSecrets
{
    /// <summary>The Kit's store; one clear error when the Kit project has no UserSecretsId yet.</summary>
    /// <param name="root">The user-secrets root; default <see cref="UserSecretsPaths.Root"/>.</param>
    public static UserSecretsStore Open(KitBundle bundle, string? root = null) =>
        TryOpen(bundle, root) ?? throw new CapaKitException(ExitCodes.Usage, MissingIdMessage(bundle));

    /// <summary>The Kit's store, or null when the Kit project has no UserSecretsId (so nothing is set yet).</summary>
    public static UserSecretsStore? TryOpen(KitBundle bundle, string? root = null) =>
        string.IsNullOrWhiteSpace(bundle.Kit.UserSecretsId) ? null : new UserSecretsStore(bundle.Kit.UserSecretsId, root);

    public static string MissingIdMessage(KitBundle bundle)
    {
        // The bundle records the project relative to the Kit's folder; the command must work from anywhere.
        var project = Path.Combine(bundle.Kit.Directory, bundle.Kit.ProjectFile ?? "<name>.kitproj");
        return $"The Kit '{bundle.Kit.Name}' has no UserSecretsId to keep its secrets under; run `dotnet user-secrets init --project {project}` " +
            "(or `dotnet capakit secrets set <name>`, which adds one) and run again.";
    }
}
