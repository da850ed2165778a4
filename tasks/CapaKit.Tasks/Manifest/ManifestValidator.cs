using System.Globalization;
using System.Text.RegularExpressions;
using CapaKit.Bundle;
using CapaKit.Tasks.Compilation;
using CapaKit.Tasks.Diagnostics;

namespace CapaKit.Tasks.Manifest;

/// <summary>Checks the meaning of a loaded manifest: names, cross-references, kinds and the connection graph.</summary>
public static partial class ManifestValidator
{
    /// <summary>Lowercase letters, digits, '-' and '_', starting with a letter or digit; at most 63 characters.</summary>
    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,62}$")]
    private static partial Regex SafeName();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvName();

    /// <summary>An absolute URL path made of safe segments: '/' or '/a/b-c'.</summary>
    [GeneratedRegex(@"^/([A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*)?$")]
    private static partial Regex UrlPath();

    /// <summary>Variables the runtime owns; a manifest may not set them from options.</summary>
    private static readonly HashSet<string> ReservedEnv = new(StringComparer.Ordinal) { "PATH", "HOME", "TMPDIR", "LD_PRELOAD", "LD_LIBRARY_PATH" };

    public static bool IsSafeName(string name) => SafeName().IsMatch(name);

    public static void Validate(KitManifest manifest, DiagnosticBag diagnostics)
    {
        var v = new Run(manifest, diagnostics);
        v.Names();
        v.Options();
        v.HostMounts();
        v.Dependencies();
        v.Workloads();
        v.Expose();
        v.ConnectionCycles();
    }

    private sealed class Run(KitManifest manifest, DiagnosticBag diagnostics)
    {
        private readonly Dictionary<string, OptionDecl> _options = First(manifest.Options, o => o.Name.Value);
        private readonly Dictionary<string, HostMountDecl> _mounts = First(manifest.HostMounts, m => m.Name.Value);
        private readonly HashSet<string> _secrets = manifest.Secrets.Select(s => s.Name.Value).ToHashSet(StringComparer.Ordinal);
        private readonly Dictionary<string, DependencyDecl> _dependencies = First(manifest.Dependencies, d => d.Alias.Value);
        private readonly Dictionary<string, WorkloadDecl> _workloads = First(manifest.Workloads, w => w.Name.Value);

        public void Names()
        {
            if (manifest.Name is { } kitName)
            {
                CheckName(kitName, "Kit name");
            }
            foreach (var o in manifest.Options) CheckName(o.Name, "option name");
            foreach (var m in manifest.HostMounts) CheckName(m.Name, "host mount name");
            foreach (var s in manifest.Secrets) CheckName(s.Name, "secret name");
            foreach (var d in manifest.Dependencies) CheckName(d.Alias, "dependency alias");
            foreach (var w in manifest.Workloads) CheckName(w.Name, "workload name");
        }

        private void CheckName(Located<string> name, string what)
        {
            if (!IsSafeName(name.Value))
            {
                diagnostics.Error(DiagnosticCodes.UnsafeName,
                    $"The {what} '{name.Value}' is not allowed; use 1 to 63 lowercase letters, digits, '-' or '_', starting with a letter or digit.", name.Location);
            }
        }

        public void Options()
        {
            foreach (var option in manifest.Options)
            {
                if (option.Kind is not { } kind)
                {
                    continue;
                }
                var name = option.Name.Value;
                switch (kind.Value)
                {
                    case "string":
                        break;
                    case "number":
                        if (option.Default is { } numberDefault && (option.DefaultIsQuoted || !IsNumber(numberDefault.Value)))
                        {
                            diagnostics.Error(DiagnosticCodes.OptionDefaultWrongKind,
                                $"Option '{name}' is a number, but its default '{numberDefault.Value}' is not; write a number such as 8192.", numberDefault.Location);
                        }
                        break;
                    case "enum":
                        if (option.EnumValues is not { Count: > 0 } values)
                        {
                            diagnostics.Error(DiagnosticCodes.OptionEnumInvalid,
                                $"Option '{name}' is an enum but lists no 'enum_values'; list the values it may take.", kind.Location);
                        }
                        else if (option.Default is { } enumDefault && !values.Any(v => v.Value == enumDefault.Value))
                        {
                            diagnostics.Error(DiagnosticCodes.OptionEnumInvalid,
                                $"Option '{name}' defaults to '{enumDefault.Value}', which is not one of its enum_values ({string.Join(", ", values.Select(v => v.Value))}).", enumDefault.Location);
                        }
                        break;
                    default:
                        diagnostics.Error(DiagnosticCodes.BadOptionKind,
                            $"Option '{name}' has kind '{kind.Value}'; the kinds are string, number and enum.", kind.Location);
                        break;
                }
                if (kind.Value != "enum" && option.EnumValues is { Count: > 0 } stray)
                {
                    diagnostics.Error(DiagnosticCodes.OptionEnumInvalid,
                        $"Option '{name}' lists enum_values but its kind is '{kind.Value}'; set 'kind: enum' or remove enum_values.", stray[0].Location);
                }
            }
        }

        public void HostMounts()
        {
            foreach (var mount in manifest.HostMounts)
            {
                if (mount.Access is { } access && !IsAccess(access.Value))
                {
                    diagnostics.Error(DiagnosticCodes.BadAccess,
                        $"Host mount '{mount.Name.Value}' has access '{access.Value}'; use read_only or read_write.", access.Location);
                }
            }
        }

        public void Dependencies()
        {
            foreach (var dependency in manifest.Dependencies)
            {
                var alias = dependency.Alias.Value;
                if (dependency.Package is { } package)
                {
                    if (package.Value.Contains("://", StringComparison.Ordinal) || package.Value.StartsWith("git@", StringComparison.Ordinal))
                    {
                        diagnostics.Error(DiagnosticCodes.UnsupportedDependencySource,
                            $"Dependency '{alias}' names '{package.Value}', a repository URL; CapaKit for .NET imports Kits as NuGet packages, so pack that Kit (dotnet pack) and name its package id, or point 'path' at its .kitproj.", package.Location);
                    }
                    else if (!NuGetId().IsMatch(package.Value))
                    {
                        diagnostics.Error(DiagnosticCodes.BadDependencySource,
                            $"Dependency '{alias}' names '{package.Value}', which is not a NuGet package id.", package.Location);
                    }
                }
                if (dependency.Package is not null && dependency.Path is not null)
                {
                    diagnostics.Error(DiagnosticCodes.BadDependencySource,
                        $"Dependency '{alias}' has both 'package' and 'path'; keep one.", dependency.SourceLocation);
                }
                else if (dependency.Package is null && dependency.Path is null && dependency.SourceLocation.Line > 0
                         && !diagnostics.Items.Any(d => d.Line == dependency.SourceLocation.Line && d.Code == DiagnosticCodes.UnsupportedDependencySource))
                {
                    diagnostics.Error(DiagnosticCodes.BadDependencySource,
                        $"Dependency '{alias}' has a source with neither 'package' nor 'path'; name the Kit's NuGet package id or the path of its .kitproj.", dependency.SourceLocation);
                }
                foreach (var (_, ours) in dependency.Options)
                {
                    if (!_options.ContainsKey(ours.Value))
                    {
                        diagnostics.Error(DiagnosticCodes.UnknownOption,
                            $"Dependency '{alias}' takes an option from '{ours.Value}', which this Kit does not declare under 'options'.", ours.Location);
                    }
                }
                foreach (var (_, ours) in dependency.MountBindings)
                {
                    if (!_mounts.ContainsKey(ours.Value))
                    {
                        diagnostics.Error(DiagnosticCodes.UndeclaredMount,
                            $"Dependency '{alias}' binds a mount to '{ours.Value}', which this Kit does not declare under 'host_mounts'.", ours.Location);
                    }
                }
            }
        }

        public void Workloads()
        {
            if (manifest.Workloads.Count == 0 && manifest.Name is not null)
            {
                diagnostics.Error(DiagnosticCodes.MissingKey, "The Kit declares no workloads; add at least one under 'workloads'.", manifest.Location);
            }
            foreach (var workload in manifest.Workloads)
            {
                var name = workload.Name.Value;
                if (workload.Runtime is not null && workload.Import is not null)
                {
                    diagnostics.Error(DiagnosticCodes.RuntimeAndImport,
                        $"Workload '{name}' has both 'runtime' and 'import'; a workload either runs its own code or is an imported Kit's exposed path.", workload.Import.Location);
                }
                else if (workload.Runtime is null && workload.Import is null)
                {
                    diagnostics.Error(DiagnosticCodes.NoRuntime,
                        $"Workload '{name}' has neither 'runtime' nor 'import'; add runtime.source with a toolchain and a start command.", workload.Name.Location);
                }

                if (workload.Import is not null && workload.Runtime is null)
                {
                    // An import workload is the imported Kit's exposed path: what it may reach, mount or resolve is
                    // the imported Kit's own business, so these keys would be silently meaningless.
                    var extra = new[] { ("connections", workload.Connections.Count), ("secrets", workload.Secrets.Count), ("mounts", workload.Mounts.Count), ("endpoints", workload.Endpoints.Count) }
                        .Where(k => k.Item2 > 0).Select(k => k.Item1).ToList();
                    if (extra.Count > 0)
                    {
                        diagnostics.Error(DiagnosticCodes.ImportWorkloadKeys,
                            $"Workload '{name}' imports an exposed path, so it cannot have {string.Join(", ", extra)}; those belong to the imported Kit's manifest. Remove them.",
                            workload.Import.Location);
                    }
                }

                if (workload.Import is { Dependency: { } dependency } && !_dependencies.ContainsKey(dependency.Value))
                {
                    diagnostics.Error(DiagnosticCodes.UnknownDependency,
                        $"Workload '{name}' imports from '{dependency.Value}', which is not a dependency of this Kit; declare it under 'dependencies'.", dependency.Location);
                }

                if (workload.Runtime is { } runtime)
                {
                    Runtime(name, runtime);
                }
                if (workload.Restart is { } restart && !RestartPolicy.All.Contains(restart.Value))
                {
                    diagnostics.Error(DiagnosticCodes.BadRestart,
                        $"Workload '{name}' has restart '{restart.Value}'; use on-failure, always or no.", restart.Location);
                }

                foreach (var endpoint in workload.Endpoints)
                {
                    if (!BundleFormat.EndpointProtocols.Contains(endpoint.Protocol.Value))
                    {
                        diagnostics.Error(DiagnosticCodes.BadEndpointProtocol,
                            $"Workload '{name}' has an endpoint of protocol '{endpoint.Protocol.Value}'; the protocols are {string.Join(", ", BundleFormat.EndpointProtocols)}.", endpoint.Protocol.Location);
                    }
                    if (endpoint.Path is { } path && !UrlPath().IsMatch(path.Value))
                    {
                        diagnostics.Error(DiagnosticCodes.BadPath,
                            $"Endpoint path '{path.Value}' of workload '{name}' must start with '/' and use only letters, digits, '.', '_', '~' and '-' between slashes.", path.Location);
                    }
                }

                foreach (var connection in workload.Connections)
                {
                    if (connection.Value == name)
                    {
                        diagnostics.Error(DiagnosticCodes.SelfConnection,
                            $"Workload '{name}' lists itself in 'connections'; a workload reaches its own code directly.", connection.Location);
                    }
                    else if (!_workloads.ContainsKey(connection.Value))
                    {
                        diagnostics.Error(DiagnosticCodes.UnknownConnection,
                            $"Workload '{name}' connects to '{connection.Value}', which is not a workload of this Kit{Suggest(connection.Value, _workloads.Keys)}.", connection.Location);
                    }
                }

                foreach (var mount in workload.Mounts)
                {
                    if (!_mounts.TryGetValue(mount.Mount.Value, out var hostMount))
                    {
                        diagnostics.Error(DiagnosticCodes.UndeclaredMount,
                            $"Workload '{name}' mounts '{mount.Mount.Value}', which is not declared under 'host_mounts'{Suggest(mount.Mount.Value, _mounts.Keys)}.", mount.Mount.Location);
                        continue;
                    }
                    if (mount.Access is { } access)
                    {
                        if (!IsAccess(access.Value))
                        {
                            diagnostics.Error(DiagnosticCodes.BadAccess,
                                $"Mount '{mount.Mount.Value}' of workload '{name}' has access '{access.Value}'; use read_only or read_write.", access.Location);
                        }
                        else if (access.Value == "read_write" && hostMount.Access?.Value == "read_only")
                        {
                            diagnostics.Error(DiagnosticCodes.MountAccessWiderThanHost,
                                $"Workload '{name}' asks for read_write on host mount '{mount.Mount.Value}', which is declared read_only; use read_only or change the host mount.", access.Location);
                        }
                    }
                }

                foreach (var secret in workload.Secrets)
                {
                    if (!_secrets.Contains(secret.Value))
                    {
                        diagnostics.Error(DiagnosticCodes.UndeclaredSecret,
                            $"Workload '{name}' asks for secret '{secret.Value}', which is not declared under the top-level 'secrets'{Suggest(secret.Value, _secrets)}.", secret.Location);
                    }
                }
            }
        }

        private void Runtime(string workload, RuntimeDecl runtime)
        {
            if (runtime.Toolchain is { } toolchain && toolchain.Value != "bun")
            {
                diagnostics.Error(DiagnosticCodes.UnsupportedToolchain,
                    $"Workload '{workload}' uses toolchain '{toolchain.Value}'; CapaKit runs the 'bun' toolchain only.", toolchain.Location);
            }
            if (runtime.SourceLocation.Line == 0)
            {
                return;
            }
            if (!runtime.Phases.TryGetValue("start", out var start) || start.Command is null)
            {
                diagnostics.Error(DiagnosticCodes.MissingStartCommand,
                    $"Workload '{workload}' has no start command; add runtime.source.start.command (for example 'bun run src/index.ts').",
                    start?.Location ?? runtime.SourceLocation);
            }
            foreach (var phase in runtime.Phases.Values)
            {
                if (phase.Command is { } command && string.IsNullOrWhiteSpace(command.Value))
                {
                    diagnostics.Error(DiagnosticCodes.EmptyCommand,
                        $"The {phase.Name} command of workload '{workload}' is empty; write the command to run.", command.Location);
                }
                Registries(workload, phase);
                foreach (var (variable, option) in phase.EnvFromOptions)
                {
                    if (!EnvName().IsMatch(variable.Value) || ReservedEnv.Contains(variable.Value)
                        || variable.Value.StartsWith("CAPAKIT_", StringComparison.Ordinal))
                    {
                        diagnostics.Error(DiagnosticCodes.BadEnvName,
                            $"'{variable.Value}' cannot be set from an option: use letters, digits and '_' and avoid PATH, HOME, TMPDIR, LD_* and CAPAKIT_* names, which the runtime owns.", variable.Location);
                    }
                    if (!_options.ContainsKey(option.Value))
                    {
                        diagnostics.Error(DiagnosticCodes.UnknownOption,
                            $"'{variable.Value}' takes option '{option.Value}', which is not declared under 'options'{Suggest(option.Value, _options.Keys)}.", option.Location);
                    }
                }
            }
        }

        /// <summary>A phase's <c>registries</c> is its egress allowlist, so it only means something with <c>network: registry</c>.</summary>
        private void Registries(string workload, PhaseDecl phase)
        {
            if (phase.Registries is not { } registries)
            {
                return;
            }
            var network = phase.Network?.Value ?? KitModelBuilder.DefaultNetwork(phase.Name);
            if (network != NetworkAccess.Registry)
            {
                var why = network == NetworkAccess.Full ? "full network already reaches every host" : "the phase has no network";
                diagnostics.Error(DiagnosticCodes.RegistriesWithoutRegistryNetwork,
                    $"The {phase.Name} phase of workload '{workload}' lists registries, but its network is '{network}' ({why}); registries apply only with network: registry, so set that or remove the list.", phase.RegistriesLocation);
                return;
            }
            if (registries.Count == 0)
            {
                diagnostics.Error(DiagnosticCodes.BadRegistry,
                    $"The {phase.Name} phase of workload '{workload}' lists no registries, so its install could reach nothing; list at least one (without the key it is registry.npmjs.org) or set network: none.", phase.RegistriesLocation);
            }
            foreach (var registry in registries)
            {
                if (!RegistryEntry.TryParse(registry.Value, out _, out var problem))
                {
                    diagnostics.Error(DiagnosticCodes.BadRegistry,
                        $"Registry '{registry.Value}' of the {phase.Name} phase of workload '{workload}' cannot be used: {problem}.", registry.Location);
                }
            }
        }

        public void Expose()
        {
            var paths = new Dictionary<string, SourceLocation>(StringComparer.Ordinal);
            ExposeDecl? firstDefault = null;
            foreach (var expose in manifest.Expose)
            {
                if (expose.Path is { } path)
                {
                    if (!UrlPath().IsMatch(path.Value))
                    {
                        diagnostics.Error(DiagnosticCodes.BadPath,
                            $"Expose path '{path.Value}' must start with '/' and use only letters, digits, '.', '_', '~' and '-' between slashes.", path.Location);
                    }
                    else if (path.Value.Split('/').Any(segment => segment is "." or ".."))
                    {
                        diagnostics.Error(DiagnosticCodes.BadPath, $"Expose path '{path.Value}' may not contain '.' or '..' segments.", path.Location);
                    }
                    if (paths.TryGetValue(path.Value, out var first))
                    {
                        diagnostics.Error(DiagnosticCodes.DuplicateExposePath,
                            $"Expose path '{path.Value}' is already used at line {first.Line}; give each exposed endpoint its own path.", path.Location);
                    }
                    else
                    {
                        paths[path.Value] = path.Location;
                    }
                }

                WorkloadDecl? target = null;
                if (expose.Target is { } targetName && !_workloads.TryGetValue(targetName.Value, out target))
                {
                    diagnostics.Error(DiagnosticCodes.UnknownExposeTarget,
                        $"Expose target '{targetName.Value}' is not a workload of this Kit{Suggest(targetName.Value, _workloads.Keys)}.", targetName.Location);
                }

                foreach (var endpoint in expose.Endpoints)
                {
                    if (!BundleFormat.EndpointProtocols.Contains(endpoint.Value))
                    {
                        diagnostics.Error(DiagnosticCodes.BadEndpointProtocol,
                            $"Expose endpoint '{endpoint.Value}' is not a protocol; the protocols are {string.Join(", ", BundleFormat.EndpointProtocols)}.", endpoint.Location);
                    }
                    else if (target is { Import: null } && target.Endpoints.All(e => e.Protocol.Value != endpoint.Value))
                    {
                        diagnostics.Error(DiagnosticCodes.ExposeEndpointNotOffered,
                            $"Expose '{expose.Path?.Value}' offers '{endpoint.Value}', but workload '{target.Name.Value}' has no {endpoint.Value} endpoint; add it to the workload's endpoints.", endpoint.Location);
                    }
                }

                if (expose.DefaultMcp)
                {
                    if (firstDefault is not null)
                    {
                        diagnostics.Error(DiagnosticCodes.SeveralDefaultMcp,
                            $"Only one expose entry may set default_mcp; '{firstDefault.Path?.Value}' already does.", expose.DefaultMcpLocation);
                    }
                    else
                    {
                        firstDefault = expose;
                    }
                    if (!expose.Endpoints.Any(e => e.Value == "mcp"))
                    {
                        diagnostics.Error(DiagnosticCodes.ExposeEndpointNotOffered,
                            $"Expose '{expose.Path?.Value}' sets default_mcp but does not list the mcp endpoint; add mcp to its endpoints.", expose.DefaultMcpLocation);
                    }
                }
            }
            // default_mcp also answers at /mcp, so /mcp may not route elsewhere.
            if (firstDefault is { Path.Value: not "/mcp" } && paths.TryGetValue("/mcp", out var mcpAt))
            {
                diagnostics.Error(DiagnosticCodes.DuplicateExposePath,
                    $"Expose path '/mcp' clashes with default_mcp on '{firstDefault.Path!.Value}', which the gateway also serves at /mcp; drop one of them.", mcpAt);
            }
        }

        public void ConnectionCycles()
        {
            // Depth-first search; a back edge is a cycle. Report each cycle once, at the connection that closes it.
            var state = new Dictionary<string, int>(StringComparer.Ordinal);
            var stack = new List<string>();
            foreach (var workload in manifest.Workloads)
            {
                Visit(workload);
            }

            void Visit(WorkloadDecl workload)
            {
                var name = workload.Name.Value;
                if (state.GetValueOrDefault(name) != 0)
                {
                    return;
                }
                state[name] = 1;
                stack.Add(name);
                foreach (var connection in workload.Connections)
                {
                    if (connection.Value == name || !_workloads.TryGetValue(connection.Value, out var next))
                    {
                        continue;
                    }
                    if (state.GetValueOrDefault(connection.Value) == 1)
                    {
                        var cycle = stack.Skip(stack.IndexOf(connection.Value)).Append(connection.Value);
                        diagnostics.Error(DiagnosticCodes.ConnectionCycle,
                            $"Connections form a cycle ({string.Join(" -> ", cycle)}); workloads start in connection order, so remove one of these connections.", connection.Location);
                    }
                    else
                    {
                        Visit(next);
                    }
                }
                stack.RemoveAt(stack.Count - 1);
                state[name] = 2;
            }
        }

        private static bool IsAccess(string value) => value is "read_only" or "read_write";

        private static bool IsNumber(string value) =>
            double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number);

        private static Dictionary<string, T> First<T>(IEnumerable<T> items, Func<T, string> key)
        {
            var map = new Dictionary<string, T>(StringComparer.Ordinal);
            foreach (var item in items)
            {
                map.TryAdd(key(item), item);
            }
            return map;
        }

        /// <summary>"; did you mean 'api'?" when a declared name is one or two edits away.</summary>
        private static string Suggest(string wrong, IEnumerable<string> known)
        {
            var best = known
                .Select(k => (Name: k, Distance: Levenshtein(wrong, k)))
                .Where(k => k.Distance <= 2)
                .OrderBy(k => k.Distance)
                .FirstOrDefault();
            if (best.Name is not null)
            {
                return $" (did you mean '{best.Name}'?)";
            }
            var names = known.ToList();
            return names.Count == 0 ? "" : $" (declared: {string.Join(", ", names)})";
        }

        private static int Levenshtein(string a, string b)
        {
            var previous = Enumerable.Range(0, b.Length + 1).ToArray();
            for (var i = 1; i <= a.Length; i++)
            {
                var current = new int[b.Length + 1];
                current[0] = i;
                for (var j = 1; j <= b.Length; j++)
                {
                    var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                    current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
                }
                previous = current;
            }
            return previous[b.Length];
        }
    }

    [GeneratedRegex(@"^[A-Za-z0-9_]+([.-][A-Za-z0-9_]+)*$")]
    private static partial Regex NuGetId();
}
