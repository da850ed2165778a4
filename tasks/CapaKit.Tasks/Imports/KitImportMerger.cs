using CapaKit.Bundle;
using CapaKit.Tasks.Diagnostics;
using CapaKit.Tasks.Manifest;

namespace CapaKit.Tasks.Imports;

/// <summary>
/// Merges a compiled imported Kit into its importer's bundle: its workloads become <c>&lt;alias&gt;.&lt;name&gt;</c>,
/// their options come from the importer's (<c>from_option</c>) or stay the import's own under <c>&lt;alias&gt;.&lt;option&gt;</c>,
/// their mounts are the importer's host mounts they are bound to, and their identities are the importer's to mint.
/// </summary>
internal static class KitImportMerger
{
    /// <returns>False when the wiring is wrong (reported): nothing was merged.</returns>
    public static bool Merge(KitBundle parent, DependencyDecl dependency, KitBundle child, KitSource source, DiagnosticBag diagnostics)
    {
        var alias = dependency.Alias.Value;
        var prefix = alias + ".";
        var options = MapOptions(parent, dependency, child, prefix, diagnostics);
        var mounts = MapMounts(parent, dependency, child, diagnostics);
        if (options is null || mounts is null)
        {
            return false;
        }

        // An import's secrets are its own: stored under the alias, never the importer's secrets of the same name.
        foreach (var (name, secret) in child.Secrets)
        {
            parent.Secrets[prefix + name] = secret;
        }
        var names = new List<string>();
        foreach (var (name, workload) in child.Workloads)
        {
            var newName = prefix + name;
            names.Add(newName);
            parent.Workloads[newName] = Rename(parent, workload, newName, child, prefix, options, mounts, alias);
        }
        parent.Dependencies[alias] = parent.Dependencies[alias] with
        {
            Kit = child.Kit.Name,
            Version = source.Version,
            ManifestFile = source.ManifestFile,
            Workloads = names,
        };
        return true;
    }

    /// <summary>
    /// Points the importer's <c>import</c> workloads at the imported workload serving that exposed path, and rewrites the
    /// importer's connections and exposures to them (the importer's code keeps calling the import by its own name).
    /// </summary>
    public static void ResolveImportWorkloads(KitBundle bundle, KitManifest manifest, IReadOnlyDictionary<string, KitBundle> imported, DiagnosticBag diagnostics)
    {
        // What each import workload offers: the imported Kit's expose entry (its endpoint protocols), never more of
        // the workload behind it.
        var offered = new Dictionary<string, (string Real, ExposeModel Expose, List<string> Protocols)>(StringComparer.Ordinal);
        foreach (var workload in manifest.Workloads)
        {
            if (workload.Import is not { Dependency: { } dependency, ExposedPath: { } exposedPath }
                || !imported.TryGetValue(dependency.Value, out var child))
            {
                continue;
            }
            var expose = child.Expose.FirstOrDefault(e => e.Path == exposedPath.Value);
            if (expose is null)
            {
                diagnostics.Error(DiagnosticCodes.UnknownExposedPath,
                    $"Workload '{workload.Name.Value}' imports the exposed path '{exposedPath.Value}' of '{dependency.Value}', which Kit '{child.Kit.Name}' does not expose; use one of: {List(child.Expose.Select(e => e.Path))}.",
                    exposedPath.Location);
                continue;
            }
            var real = dependency.Value + "." + expose.Target;
            bundle.WorkloadAliases[workload.Name.Value] = real;
            offered[workload.Name.Value] = (real, expose, Offered(expose, bundle.Workloads[real]));
        }

        foreach (var workload in bundle.Workloads.Values.Where(w => w.ImportedFrom is null))
        {
            for (var i = 0; i < workload.Connections.Count; i++)
            {
                var name = workload.Connections[i];
                if (offered.TryGetValue(name, out var import))
                {
                    workload.Connections[i] = import.Real;
                    AddUnique(workload.ConnectionNames, import.Real, name);
                    foreach (var protocol in import.Protocols)
                    {
                        AddUnique(workload.ConnectionEndpoints, import.Real, protocol);
                    }
                }
            }
            Dedupe(workload.Connections);
        }
        for (var i = 0; i < bundle.Expose.Count; i++)
        {
            var expose = bundle.Expose[i];
            if (!offered.TryGetValue(expose.Target, out var import))
            {
                continue;
            }
            var (real, theirs, allowed) = import;
            var declared = manifest.Expose[i];
            foreach (var endpoint in declared.Endpoints.Where(e => !allowed.Contains(e.Value)))
            {
                diagnostics.Error(DiagnosticCodes.ExposeEndpointNotOffered,
                    $"Expose '{expose.Path}' offers {endpoint.Value} from '{expose.Target}', but the imported Kit exposes only {List(allowed)} at '{theirs.Path}'; list only those.",
                    endpoint.Location);
            }
            if (expose.DefaultMcp && !allowed.Contains("mcp"))
            {
                diagnostics.Error(DiagnosticCodes.ExposeEndpointNotOffered,
                    $"Expose '{expose.Path}' sets default_mcp, but the imported Kit exposes no mcp endpoint at '{theirs.Path}'.",
                    declared.DefaultMcpLocation);
            }
            bundle.Expose[i] = expose with
            {
                Target = real,
                // Listing nothing re-exposes what the import exposes.
                Endpoints = expose.Endpoints.Count > 0 ? expose.Endpoints : [.. allowed],
            };
        }
    }

    /// <summary>The protocols an imported expose entry offers: those it lists, or all of its workload's when it lists none.</summary>
    private static List<string> Offered(ExposeModel expose, WorkloadModel target) =>
        expose.Endpoints.Count > 0 ? [.. expose.Endpoints] : target.Endpoints.Select(e => e.Protocol).Distinct(StringComparer.Ordinal).ToList();

    private static WorkloadModel Rename(KitBundle parent, WorkloadModel workload, string newName, KitBundle child, string prefix,
        IReadOnlyDictionary<string, string> options, IReadOnlyDictionary<string, string> mounts, string alias)
    {
        var connectionNames = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var peer in workload.Connections)
        {
            connectionNames[prefix + peer] = workload.ConnectionNames.TryGetValue(peer, out var known) ? [.. known] : [peer];
        }
        var connectionEndpoints = new SortedDictionary<string, List<string>>(
            workload.ConnectionEndpoints.ToDictionary(e => prefix + e.Key, e => e.Value.ToList()), StringComparer.Ordinal);
        return workload with
        {
            Name = newName,
            ConnectionEndpoints = connectionEndpoints,
            Root = Path.GetFullPath(Path.Combine(child.Kit.Directory, workload.Root)),
            Connections = workload.Connections.Select(c => prefix + c).ToList(),
            ConnectionNames = connectionNames,
            ImportedFrom = workload.ImportedFrom is null ? alias : alias + "." + workload.ImportedFrom,
            Mounts = workload.Mounts.Select(m => m with { Mount = mounts[m.Mount] }).ToList(),
            Secrets = workload.Secrets.Select(s => prefix + s).ToList(),
            SecretNames = new SortedDictionary<string, string>(
                workload.Secrets.ToDictionary(s => prefix + s, s => workload.SecretNames.GetValueOrDefault(s, s)), StringComparer.Ordinal),
            Phases = new SortedDictionary<string, PhaseModel>(
                workload.Phases.ToDictionary(
                    p => p.Key,
                    p => p.Value with
                    {
                        EnvFromOptions = new SortedDictionary<string, string>(
                            p.Value.EnvFromOptions.ToDictionary(e => e.Key, e => options[e.Value]), StringComparer.Ordinal),
                        SeatbeltProfile = BundleFormat.SeatbeltProfile(newName, p.Key),
                        LinuxSpec = BundleFormat.LinuxSpec(newName, p.Key),
                    }),
                StringComparer.Ordinal),
            Identity = new WorkloadIdentityModel
            {
                SpiffeId = BundleFormat.SpiffeId(parent.Kit.Name, newName),
                Certificate = BundleFormat.WorkloadCertificate(newName),
                Key = BundleFormat.WorkloadKey(newName),
            },
        };
    }

    /// <summary>The imported Kit's option → the importer's option that feeds it; null when the wiring is wrong.</summary>
    private static Dictionary<string, string>? MapOptions(KitBundle parent, DependencyDecl dependency, KitBundle child, string prefix, DiagnosticBag diagnostics)
    {
        var alias = dependency.Alias.Value;
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        var ok = true;
        foreach (var (theirs, ours) in dependency.Options)
        {
            if (!child.Options.TryGetValue(theirs.Value, out var theirOption))
            {
                diagnostics.Error(DiagnosticCodes.UnknownImportedOption,
                    $"Dependency '{alias}' sets the option '{theirs.Value}', which Kit '{child.Kit.Name}' does not have; its options are: {List(child.Options.Keys)}.",
                    theirs.Location);
                ok = false;
                continue;
            }
            if (!parent.Options.TryGetValue(ours.Value, out var ourOption))
            {
                ok = false; // Reported by the validator (CAPA0104).
                continue;
            }
            if (ourOption.Kind != theirOption.Kind)
            {
                diagnostics.Error(DiagnosticCodes.ImportedOptionKind,
                    $"Dependency '{alias}' feeds its {theirOption.Kind} option '{theirs.Value}' from '{ours.Value}', which is a {ourOption.Kind} option; declare '{ours.Value}' with kind {theirOption.Kind}.",
                    ours.Location);
                ok = false;
                continue;
            }
            if (theirOption.Kind == "enum" && ourOption.EnumValues?.Except(theirOption.EnumValues ?? []).ToList() is { Count: > 0 } extra)
            {
                diagnostics.Error(DiagnosticCodes.ImportedOptionKind,
                    $"Dependency '{alias}' feeds its option '{theirs.Value}' from '{ours.Value}', whose values {List(extra)} it does not accept; keep '{ours.Value}' to {List(theirOption.EnumValues ?? [])}.",
                    ours.Location);
                ok = false;
                continue;
            }
            map[theirs.Value] = ours.Value;
        }
        foreach (var (name, option) in child.Options)
        {
            if (!map.ContainsKey(name))
            {
                // Not wired: the import keeps its own option, set at run time as --option <alias>.<name>=...
                map[name] = prefix + name;
                parent.Options[prefix + name] = option;
            }
        }
        return ok ? map : null;
    }

    /// <summary>The imported Kit's host mount → the importer's host mount bound to it; null when the wiring is wrong.</summary>
    private static Dictionary<string, string>? MapMounts(KitBundle parent, DependencyDecl dependency, KitBundle child, DiagnosticBag diagnostics)
    {
        var alias = dependency.Alias.Value;
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        var ok = true;
        foreach (var (theirs, ours) in dependency.MountBindings)
        {
            if (!child.HostMounts.TryGetValue(theirs.Value, out var theirMount))
            {
                diagnostics.Error(DiagnosticCodes.UnknownImportedMount,
                    $"Dependency '{alias}' binds the mount '{theirs.Value}', which Kit '{child.Kit.Name}' does not declare; its host mounts are: {List(child.HostMounts.Keys)}.",
                    theirs.Location);
                ok = false;
                continue;
            }
            if (!parent.HostMounts.TryGetValue(ours.Value, out var ourMount))
            {
                ok = false; // Reported by the validator.
                continue;
            }
            if (theirMount.Access == "read_write" && ourMount.Access != "read_write")
            {
                diagnostics.Error(DiagnosticCodes.ImportedMountAccess,
                    $"Dependency '{alias}' binds its read_write mount '{theirs.Value}' to '{ours.Value}', which is read_only; make '{ours.Value}' read_write or bind a read_write mount.",
                    ours.Location);
                ok = false;
                continue;
            }
            map[theirs.Value] = ours.Value;
        }
        foreach (var (name, mount) in child.HostMounts.Where(m => !map.ContainsKey(m.Key)))
        {
            if (dependency.MountBindings.Any(b => b.Theirs.Value == name))
            {
                continue;
            }
            diagnostics.Error(DiagnosticCodes.UnboundImportedMount,
                $"Dependency '{alias}' leaves the {mount.Access} mount '{name}' of Kit '{child.Kit.Name}' unbound{(mount.Usage is { Length: > 0 } usage ? $" ({usage})" : "")}; bind it to one of this Kit's host_mounts under mount_bindings.",
                dependency.Alias.Location);
            ok = false;
        }
        return ok ? map : null;
    }

    private static void AddUnique(SortedDictionary<string, List<string>> map, string key, string value)
    {
        if (!map.TryGetValue(key, out var list))
        {
            map[key] = list = [];
        }
        if (!list.Contains(value))
        {
            list.Add(value);
        }
    }

    private static void Dedupe(List<string> items)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        items.RemoveAll(i => !seen.Add(i));
    }

    private static string List(IEnumerable<string> items) => items.Any() ? string.Join(", ", items) : "(none)";
}
