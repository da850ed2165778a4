using CapaKit.Bundle;

namespace CapaKit.Tool.Sandbox.MacOS;

/// <summary>
/// Turns a bundle's Seatbelt profile plus one run's values into a <c>/usr/bin/sandbox-exec</c> invocation.
/// Per-run paths reach the static profile as <c>-D NAME=value</c> parameters; the process starts with an
/// empty environment plus exactly the workload contract.
/// </summary>
public sealed class SeatbeltLauncher(string sandboxExecPath = "/usr/bin/sandbox-exec")
{
    public SandboxInvocation Prepare(SandboxRun run, string temporaryDirectory)
    {
        var profile = Path.Combine(run.BundleDirectory, run.PhaseModel.SeatbeltProfile);
        if (!File.Exists(profile))
        {
            throw new CapaKitException(ExitCodes.KitBuildFailed, $"The bundle has no Seatbelt profile at {profile}; rebuild the Kit (dotnet build).");
        }
        WorkloadEnvironment.CheckMounts(run);
        var root = Canonical(run.WorkloadRoot);
        var home = Path.Combine(root, ".capakit", "home");
        SandboxWrittenFiles.CreateDirectoryBeneath(run.WorkloadRoot, ".capakit/home");
        Directory.CreateDirectory(temporaryDirectory);

        var parameters = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            [SeatbeltParameters.WorkloadRoot] = root,
            [SeatbeltParameters.TempDirectory] = Canonical(temporaryDirectory),
            [SeatbeltParameters.Home] = home,
            [SeatbeltParameters.BunDirectory] = Canonical(Path.GetDirectoryName(run.BunExecutable)!),
        };
        foreach (var (mount, path) in run.MountPaths)
        {
            parameters[SeatbeltParameters.Mount(mount)] = Canonical(path);
        }
        foreach (var (name, value) in run.ContractEnvironment)
        {
            switch (name)
            {
                case "CAPAKIT_WORKLOAD_INGRESS_BIND" or "CAPAKIT_RUNNER_MANAGED_INGRESS_BIND" when value.StartsWith("unix:", StringComparison.Ordinal):
                    parameters[SeatbeltParameters.IngressSocket] = Canonical(value["unix:".Length..]);
                    break;
                case "CAPAKIT_WORKLOAD_BRIDGE_BIND" or "CAPAKIT_RUNNER_BRIDGE_BIND" when value.StartsWith("unix:", StringComparison.Ordinal):
                    parameters[SeatbeltParameters.BridgeSocket] = Canonical(value["unix:".Length..]);
                    break;
            }
        }
        if (run.Egress is { } egress)
        {
            parameters[SeatbeltParameters.EgressProxySocket] = Canonical(egress.ProxySocket);
        }

        var arguments = new List<string> { "-f", profile };
        foreach (var (name, value) in parameters)
        {
            arguments.AddRange(["-D", $"{name}={value}"]);
        }
        // sandbox-exec takes the command right after its options (it has no "--").
        arguments.AddRange(run.Argv);

        var environment = WorkloadEnvironment.Build(run, new Dictionary<string, string>
        {
            ["HOME"] = home,
            ["TMPDIR"] = Canonical(temporaryDirectory),
            ["PATH"] = "/usr/bin:/bin:/usr/sbin:/sbin",
            ["LANG"] = "C.UTF-8",
            ["BUN_INSTALL_CACHE_DIR"] = Path.Combine(root, ".capakit", "bun-cache"),
        }, "mac_os_sandbox");

        var description = new List<string> { $"{sandboxExecPath} {string.Join(' ', arguments)}", "profile:" };
        description.AddRange(File.ReadAllLines(profile).Select(l => "  " + l));
        return new SandboxInvocation(sandboxExecPath, arguments, description) { Environment = environment };
    }

    /// <summary>Seatbelt matches resolved paths: /tmp is /private/tmp, /var is /private/var.</summary>
    public static string Canonical(string path)
    {
        var full = Path.GetFullPath(path);
        foreach (var (link, target) in new[] { ("/tmp", "/private/tmp"), ("/var", "/private/var"), ("/etc", "/private/etc") })
        {
            if (full == link || full.StartsWith(link + "/", StringComparison.Ordinal))
            {
                return target + full[link.Length..];
            }
        }
        return full;
    }
}
