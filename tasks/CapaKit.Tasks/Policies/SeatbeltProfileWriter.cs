using System.Text;
using CapaKit.Bundle;
using static CapaKit.Tasks.Policies.SbplText;
using P = CapaKit.Bundle.SeatbeltParameters;

namespace CapaKit.Tasks.Policies;

/// <summary>
/// Writes the macOS Seatbelt profile (<c>policies/&lt;workload&gt;.&lt;phase&gt;.sb</c>) the runtime hands to
/// <c>sandbox-exec</c>. Everything starts denied; each allowed group says why. The text depends only on the
/// bundle, so it is identical across builds and every run passes its paths as parameters.
/// </summary>
public static class SeatbeltProfileWriter
{
    private static readonly string[] ReadWrite = ["file-read*", "file-write*"];

    public static string Write(KitBundle kit, WorkloadModel workload, string phase)
    {
        var model = PolicyPhase.Resolve(workload, phase);
        var connections = workload.Connections.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var mounts = workload.Mounts.OrderBy(m => m.Mount, StringComparer.Ordinal).ToList();
        var parameters = Parameters(connections, mounts, model.Network);

        var text = new StringBuilder();
        WriteHeader(text, kit, workload, phase, model.Network, parameters);
        text.Append("(version 1)\n");
        foreach (var (why, rules) in Groups(connections, mounts, model.Network))
        {
            text.Append('\n').Append("; ").Append(why).Append('\n');
            foreach (var rule in rules)
            {
                text.Append(rule).Append('\n');
            }
        }
        return text.ToString();
    }

    private static List<(string Name, string Meaning)> Parameters(List<string> connections, List<WorkloadMountModel> mounts, string network)
    {
        var list = new List<(string Name, string Meaning)>
        {
            (P.WorkloadRoot, "the workload root: read, write, exec"),
            (P.TempDirectory, "this run's own temp folder: read, write, exec; /tmp/... or /private/tmp/... spelling"),
            (P.Home, "HOME for Bun's install cache and config: <WORKLOAD_ROOT>/.capakit/home, never the user's home"),
            (P.BunDirectory, "folder of the Bun binary: read, exec, map"),
            (P.IngressSocket, "unix socket the workload listens on (CAPAKIT_RUNNER_MANAGED_INGRESS_BIND)"),
            (P.BridgeSocket, "unix socket of the secrets/RPC bridge (CAPAKIT_RUNNER_BRIDGE_BIND)"),
        };
        list.AddRange(connections.Select(c => (P.ConnectionSocket(c), $"unix socket where this workload reaches workload '{c}'")));
        list.AddRange(mounts.Select(m => (P.Mount(m.Mount), $"host folder bound to mount '{m.Mount}' ({m.Access})")));
        if (network == NetworkAccess.Registry)
        {
            list.Add((P.EgressProxySocket, "unix socket of the runtime's egress proxy (allowlisted registries only)"));
        }

        // Two names that differ only in '-' versus '_' would share a parameter and so share access.
        var clash = list.GroupBy(p => p.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (clash is not null)
        {
            throw new ArgumentException($"Two declared names map to the same Seatbelt parameter {clash.Key}; rename one of them.");
        }
        return list;
    }

    private static void WriteHeader(StringBuilder text, KitBundle kit, WorkloadModel workload, string phase, string network,
        List<(string Name, string Meaning)> parameters)
    {
        var width = parameters.Max(p => p.Name.Length) + 2;
        text.Append($"; CapaKit Seatbelt profile: kit '{kit.Kit.Name}', workload '{workload.Name}', phase '{phase}', network '{network}'.\n");
        text.Append("; Written at build time by CapaKit.Sdk; the runtime runs: sandbox-exec -D NAME=value ... -f <this file> <command>.\n");
        text.Append(";\n");
        text.Append("; Parameters (every one must be passed). Paths are absolute and canonical, as realpath() prints them\n");
        text.Append("; (/private/tmp/..., /private/var/...), because Seatbelt matches resolved paths; TMPDIR alone may use\n");
        text.Append("; either spelling, the profile allows both. Keep socket paths under 104 bytes (sun_path).\n");
        foreach (var (name, meaning) in parameters)
        {
            text.Append(";   ").Append(name.PadRight(width)).Append(meaning).Append('\n');
        }
        text.Append(";\n");
        foreach (var line in NetworkSummary(network))
        {
            text.Append("; ").Append(line).Append('\n');
        }
    }

    private static string[] NetworkSummary(string network) => network switch
    {
        NetworkAccess.None =>
        [
            "Network 'none': no IP at all; only the unix sockets above (ingress, bridge, declared peers).",
        ],
        NetworkAccess.Registry =>
        [
            "Network 'registry': no IP rule. The only way out is EGRESS_PROXY_SOCKET, the runtime's egress proxy",
            "(HTTP CONNECT; registry hosts on its allowlist only). A loopback port cannot be a parameter: SBPL does",
            "not reliably accept (param) inside (remote ip \"localhost:PORT\"), and a fixed or wildcard port would open",
            "every local listener on the host, so the proxy is reached as a unix socket.",
        ],
        NetworkAccess.Full =>
        [
            "Network 'full': outbound to any IP address and port, plus DNS (mDNSResponder) and TLS trust services.",
            "Never (local ip \"*:*\"): it matches every outbound connection whatever its destination.",
        ],
        _ => throw new ArgumentOutOfRangeException(nameof(network), network, null),
    };

    private static IEnumerable<(string Why, string[] Rules)> Groups(List<string> connections,
        List<WorkloadMountModel> mounts, string network)
    {
        var tmp = new[] { SubpathOfParam(P.TempDirectory), $"(subpath {PrivateSpelling(P.TempDirectory)})" };

        yield return ("Nothing is allowed unless a rule below says so.", ["(deny default)"]);

        yield return ("Bun and the commands it runs fork; every child stays under this profile.", [Allow("process-fork")]);

        yield return ("Programs start only from system tool folders, Bun's folder and the workload's own writable areas.",
        [
            Allow(["process-exec*"], [
                .. SeatbeltSystemAccess.ExecutableSubpaths.Select(Subpath),
                SubpathOfParam(P.BunDirectory),
                SubpathOfParam(P.WorkloadRoot),
                .. tmp,
            ]),
        ]);

        yield return ("Signals only to processes in this same sandbox, never to the host's.", [Allow("signal", "(target same-sandbox)")]);

        yield return ("A process may inspect itself (its path, memory, CPU time) and no other process.", [Allow("process-info*", "(target self)")]);

        yield return ("Named sysctls Bun and libSystem read (CPU, memory, OS version); none may be written.",
            [Allow(["sysctl-read"], SeatbeltSystemAccess.ReadableSysctls.Select(SysctlName))]);

        yield return ("User lookups and preferences services only; never LaunchServices (com.apple.lsd.*), which opens apps and URLs.",
            [Allow(["mach-lookup"], SeatbeltSystemAccess.MachServices.Select(GlobalName))]);

        yield return ("POSIX semaphores for Bun's and libSystem's locks.", [Allow("ipc-posix-sem")]);

        yield return ("Standard devices: discard output into /dev/null, read randomness.",
        [
            Allow(["file-read*"], [Literal("/dev/null"), Literal("/dev/random"), Literal("/dev/urandom"), Literal("/dev/zero")]),
            Allow("file-write-data", Literal("/dev/null")),
        ]);

        yield return ("realpath() and module lookup stat each parent folder: folder metadata and the /etc, /tmp, /var links only, no listing, no files.",
            [Allow(["file-read-metadata"], ["(vnode-type DIRECTORY)", Literal("/etc"), Literal("/tmp"), Literal("/var")])]);

        yield return ("System libraries, frameworks, shells and shared data (certificates, time zones), canonical spellings only.",
            [Allow(["file-read*"], [.. SeatbeltSystemAccess.ReadableSubpaths.Select(Subpath), .. SeatbeltSystemAccess.ReadableFiles.Select(Literal)])]);

        yield return ("Bun's own folder: its binary and what ships beside it, read only.", [Allow("file-read*", SubpathOfParam(P.BunDirectory))]);

        yield return ("Code is mapped executable only from system libraries, Bun's folder and the workload root (native addons).",
        [
            Allow(["file-map-executable"], [
                .. SeatbeltSystemAccess.ExecutableMappingSubpaths.Select(Subpath),
                SubpathOfParam(P.BunDirectory),
                SubpathOfParam(P.WorkloadRoot),
            ]),
        ]);

        yield return ("The workload root is the workload's read-write area (source, node_modules, .capakit).",
            [Allow(ReadWrite, [SubpathOfParam(P.WorkloadRoot)])]);

        yield return ("HOME keeps Bun's install cache writable so installs never hang; the runtime points it inside the workload's area.",
            [Allow(ReadWrite, [SubpathOfParam(P.Home)])]);

        yield return ("This run's temp folder under both spellings (/tmp/x is /private/tmp/x); the rest of the host's /tmp stays closed.",
            [Allow(ReadWrite, tmp)]);

        foreach (var mount in mounts)
        {
            yield return PolicyPhase.IsWritable(mount)
                ? ($"Mount '{mount.Mount}' is declared read_write: read and write the folder the user bound.",
                    [Allow(ReadWrite, [SubpathOfParam(P.Mount(mount.Mount))])])
                : ($"Mount '{mount.Mount}' is declared read_only: read the folder the user bound, never write it.",
                    [Allow("file-read*", SubpathOfParam(P.Mount(mount.Mount)))]);
        }

        yield return ("Unix sockets are the workload's only channels; creating one needs this, binding and connecting need the rules below.",
            [Allow("system-socket", "(socket-domain AF_UNIX)")]);

        yield return ("The workload listens on its ingress socket only; the runtime connects to it.",
            [Allow(["network-bind", "network-inbound"], [LocalUnixSocket(Param(P.IngressSocket))])]);

        var peers = connections.Count == 0 ? "it declares no connections" : "declared connections: " + string.Join(", ", connections);
        yield return ($"Outbound unix sockets: the secrets bridge and declared peers only ({peers}).",
            [Allow(["network-outbound"], [RemoteUnixSocket(Param(P.BridgeSocket)), .. connections.Select(c => RemoteUnixSocket(Param(P.ConnectionSocket(c))))])]);

        if (network == NetworkAccess.Registry)
        {
            yield return ("Registry phase: the runtime's egress proxy is the single way out (see the header); no IP rule at all.",
                [Allow("network-outbound", RemoteUnixSocket(Param(P.EgressProxySocket)))]);
        }
        else if (network == NetworkAccess.Full)
        {
            yield return ("Full network, as the phase asked: outbound to any address (remote ip, never local ip).",
                [Allow("network-outbound", "(remote ip \"*:*\")")]);
            yield return ("Name resolution: getaddrinfo() asks mDNSResponder over its socket.",
                [Allow("network-outbound", RemoteUnixSocket(Quote(SeatbeltSystemAccess.MdnsResponderSocket)))]);
            yield return ("DNS configuration, TLS trust and certificate revocation services.",
                [Allow(["mach-lookup"], SeatbeltSystemAccess.NetworkMachServices.Select(GlobalName))]);
            yield return ("Resolver files (hosts, resolv.conf, services).",
                [Allow(["file-read*"], SeatbeltSystemAccess.NetworkReadableFiles.Select(Literal))]);
        }
    }
}
