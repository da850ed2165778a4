namespace CapaKit.Tool;

/// <summary>A failure to tell the user in one sentence, with the exit code that names its kind.</summary>
public sealed class CapaKitException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}

/// <summary>
/// Exit codes of `dotnet capakit`. `exec` passes the command's own code through, so the tool's own
/// failures use the 12x range the way `timeout`, `env` and container runtimes do.
/// </summary>
public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>A Kit test failed (`dotnet capakit test`).</summary>
    public const int TestsFailed = 1;
    /// <summary>Bad arguments or an unknown Kit, workload or phase.</summary>
    public const int Usage = 2;
    /// <summary>The Kit did not build (manifest errors).</summary>
    public const int KitBuildFailed = 3;
    /// <summary>A prerequisite is missing (bubblewrap, libseccomp, Bun) and could not be provided.</summary>
    public const int MissingPrerequisite = 4;
    /// <summary>The phase ran longer than its time limit and was stopped.</summary>
    public const int Timeout = 124;
    /// <summary>CapaKit itself failed (the sandbox could not be set up).</summary>
    public const int Tool = 125;
    /// <summary>The command exists but could not be executed.</summary>
    public const int CannotExecute = 126;
    /// <summary>The command was not found inside the sandbox.</summary>
    public const int NotFound = 127;
}
