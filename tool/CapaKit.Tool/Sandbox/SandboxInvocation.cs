namespace CapaKit.Tool.Sandbox;

/// <summary>
/// A ready-to-start sandboxed process: the program, its arguments, and resources (such as the seccomp
/// program's file descriptor) that must stay open until the child has started.
/// </summary>
public sealed class SandboxInvocation(string fileName, IReadOnlyList<string> arguments, IReadOnlyList<string> policyDescription) : IDisposable
{
    private readonly List<IDisposable> _resources = [];

    public string FileName { get; } = fileName;
    public IReadOnlyList<string> Arguments { get; } = arguments;

    /// <summary>The full policy in human form (argument list, seccomp rules), printed on CAPAKIT_DEBUG_SEATBELT_POLICY=1.</summary>
    public IReadOnlyList<string> PolicyDescription { get; } = policyDescription;

    /// <summary>The path of the executable that is the sandbox itself (so signals go past it to the command).</summary>
    public string? SandboxExecutable { get; init; }

    /// <summary>The environment the launched program itself gets (Seatbelt has no --clearenv, so the contract is set here); null = none.</summary>
    public IReadOnlyDictionary<string, string>? Environment { get; init; }

    private readonly List<IDisposable> _untilExit = [];

    public void Own(IDisposable resource) => _resources.Add(resource);

    /// <summary>Keeps a resource (a cgroup) until the sandbox has exited.</summary>
    public void OwnUntilExit(IDisposable resource) => _untilExit.Add(resource);

    /// <summary>Closes what the parent no longer needs once the child holds it.</summary>
    public void ReleaseAfterStart()
    {
        foreach (var resource in _resources)
        {
            resource.Dispose();
        }
        _resources.Clear();
    }

    public void Dispose()
    {
        ReleaseAfterStart();
        foreach (var resource in _untilExit)
        {
            resource.Dispose();
        }
        _untilExit.Clear();
    }
}
