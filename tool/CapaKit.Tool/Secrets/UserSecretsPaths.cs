namespace CapaKit.Tool.Secrets;

/// <summary>
/// Where .NET user secrets live, by the same rules as Microsoft.Extensions.Configuration.UserSecrets (so
/// `dotnet user-secrets` and the runtime agree): <c>%APPDATA%\Microsoft\UserSecrets</c> when APPDATA is set,
/// otherwise <c>$HOME/.microsoft/usersecrets</c>, then the user's folders, then DOTNET_USER_SECRETS_FALLBACK_DIR.
/// </summary>
public static class UserSecretsPaths
{
    public const string FileName = "secrets.json";

    /// <summary>The folder holding one sub-folder per UserSecretsId.</summary>
    /// <param name="environment">Reads an environment variable (the process environment by default).</param>
    public static string Root(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        // Null-coalescing like the framework does: an empty HOME is not skipped, it is an error.
        var appData = environment("APPDATA");
        var root = appData
            ?? environment("HOME")
            ?? Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData)
            ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile)
            ?? environment("DOTNET_USER_SECRETS_FALLBACK_DIR");
        if (string.IsNullOrEmpty(root))
        {
            throw new CapaKitException(ExitCodes.Usage,
                "Cannot tell where user secrets live because HOME is not set; set HOME (or DOTNET_USER_SECRETS_FALLBACK_DIR) and run again.");
        }
        return string.IsNullOrEmpty(appData)
            ? Path.Combine(root, ".microsoft", "usersecrets")
            : Path.Combine(root, "Microsoft", "UserSecrets");
    }

    /// <summary>The secrets file of <paramref name="userSecretsId"/> under <paramref name="root"/>.</summary>
    public static string SecretsFile(string root, string userSecretsId)
    {
        CheckId(userSecretsId);
        return Path.Combine(root, userSecretsId, FileName);
    }

    /// <summary>The framework refuses ids that are not a valid file name; so do we, with the same reason.</summary>
    public static void CheckId(string userSecretsId)
    {
        if (string.IsNullOrWhiteSpace(userSecretsId))
        {
            throw new CapaKitException(ExitCodes.Usage, "The UserSecretsId is empty; set it to a GUID in the .kitproj.");
        }
        // Path.GetInvalidFileNameChars() is only '/' and '\0' on Unix; '\\' and '..' would still escape the root elsewhere.
        var bad = userSecretsId.IndexOfAny([.. Path.GetInvalidFileNameChars(), '/', '\\']);
        if (bad >= 0 || userSecretsId is "." or "..")
        {
            throw new CapaKitException(ExitCodes.Usage,
                $"The UserSecretsId '{userSecretsId}' is not a valid folder name; set it to a GUID in the .kitproj.");
        }
    }
}
