using System.Globalization;
using CapaKit.Bundle;
using CapaKit.Tasks.Manifest;

namespace CapaKit.Tasks.Compilation;

/// <summary>Turns a validated manifest into the resolved model the runtime reads (<c>kit.json</c>).</summary>
public static class KitModelBuilder
{
    /// <summary>Default phase time limits in seconds; 0 means none (a started workload runs until stopped).</summary>
    public static int DefaultTimeout(string phase) => phase switch
    {
        "prepare" => 600,
        "hydrate" => 600,
        _ => 0,
    };

    /// <summary>Installs get the package registries by default; everything else no network unless it asks.</summary>
    public static string DefaultNetwork(string phase) => phase == "prepare" ? NetworkAccess.Registry : NetworkAccess.None;

    /// <summary>The registry an install reaches when its phase lists none: npm's.</summary>
    public const string DefaultRegistry = "registry.npmjs.org";

    /// <summary>
    /// The hosts a phase's egress proxy lets through: the manifest's <c>registries</c> (normalized, in order, once each),
    /// or the npm registry when the key is absent; none unless the phase's network is <c>registry</c>.
    /// </summary>
    public static List<string> Registries(PhaseDecl phase, string network)
    {
        if (network != NetworkAccess.Registry)
        {
            return [];
        }
        if (phase.Registries is null)
        {
            return [DefaultRegistry];
        }
        var hosts = new List<string>();
        foreach (var registry in phase.Registries)
        {
            if (RegistryEntry.TryParse(registry.Value, out var host, out _) && !hosts.Contains(host))
            {
                hosts.Add(host);
            }
        }
        return hosts;
    }

    /// <param name="kitDirectory">The folder holding the workload roots; default the manifest's folder.</param>
    public static KitBundle Build(KitManifest manifest, string compilerVersion, string? projectFile, string? userSecretsId = null, string? kitDirectory = null)
    {
        var kitName = manifest.Name!.Value;
        kitDirectory ??= Path.GetDirectoryName(Path.GetFullPath(manifest.File))!;
        var bundle = new KitBundle
        {
            CompilerVersion = compilerVersion,
            Kit = new KitInfo
            {
                Name = kitName,
                License = manifest.License,
                Directory = kitDirectory,
                ManifestFile = Path.GetFileName(manifest.File),
                ProjectFile = projectFile is null ? null : Path.GetFileName(projectFile),
                UserSecretsId = string.IsNullOrWhiteSpace(userSecretsId) ? null : userSecretsId,
            },
            Identity = new IdentityModel
            {
                TrustDomain = BundleFormat.TrustDomain(kitName),
                CaCertificate = BundleFormat.CaCertificateFile,
            },
        };

        foreach (var option in manifest.Options)
        {
            bundle.Options[option.Name.Value] = new OptionModel
            {
                Kind = option.Kind!.Value,
                Default = option.Kind.Value == "number" && option.Default is { } d ? Normalize(d.Value) : option.Default?.Value,
                Description = option.Description,
                EnumValues = option.EnumValues?.Select(v => v.Value).ToList(),
            };
        }
        foreach (var mount in manifest.HostMounts)
        {
            bundle.HostMounts[mount.Name.Value] = new HostMountModel { Usage = mount.Usage, Access = mount.Access!.Value };
        }
        foreach (var secret in manifest.Secrets)
        {
            bundle.Secrets[secret.Name.Value] = new SecretModel { Description = secret.Description };
        }
        foreach (var dependency in manifest.Dependencies)
        {
            var model = new DependencyModel { Package = dependency.Package?.Value, Path = dependency.Path?.Value };
            foreach (var (theirs, ours) in dependency.Options) model.OptionsFromOptions[theirs.Value] = ours.Value;
            foreach (var (theirs, ours) in dependency.MountBindings) model.MountBindings[theirs.Value] = ours.Value;
            bundle.Dependencies[dependency.Alias.Value] = model;
        }

        foreach (var workload in manifest.Workloads.Where(w => w.Runtime is not null))
        {
            var name = workload.Name.Value;
            var model = new WorkloadModel
            {
                Name = name,
                Root = $"workloads/{name}",
                Toolchain = workload.Runtime!.Toolchain!.Value,
                Endpoints = workload.Endpoints
                    .Select(e => new EndpointModel { Protocol = e.Protocol.Value, Path = e.Path?.Value ?? DefaultEndpointPath(e.Protocol.Value) })
                    .ToList(),
                Connections = workload.Connections.Select(c => c.Value).Distinct(StringComparer.Ordinal).ToList(),
                Mounts = workload.Mounts
                    .Select(m => new WorkloadMountModel
                    {
                        Mount = m.Mount.Value,
                        Access = m.Access?.Value ?? manifest.HostMounts.First(h => h.Name.Value == m.Mount.Value).Access!.Value,
                    })
                    .ToList(),
                Secrets = workload.Secrets.Select(s => s.Value).Distinct(StringComparer.Ordinal).ToList(),
                Restart = workload.Restart?.Value ?? RestartPolicy.OnFailure,
                Identity = new WorkloadIdentityModel
                {
                    SpiffeId = BundleFormat.SpiffeId(kitName, name),
                    Certificate = BundleFormat.WorkloadCertificate(name),
                    Key = BundleFormat.WorkloadKey(name),
                },
            };
            foreach (var phase in workload.Runtime.Phases.Values.Where(p => p.Command is not null))
            {
                var network = phase.Network?.Value ?? DefaultNetwork(phase.Name);
                var phaseModel = new PhaseModel
                {
                    Command = phase.Command!.Value,
                    Argv = phase.CommandArgs ?? CommandLine.ToArgv(phase.Command.Value),
                    Network = network,
                    Registries = Registries(phase, network),
                    TimeoutSeconds = phase.TimeoutSeconds?.Value ?? DefaultTimeout(phase.Name),
                    SeatbeltProfile = BundleFormat.SeatbeltProfile(name, phase.Name),
                    LinuxSpec = BundleFormat.LinuxSpec(name, phase.Name),
                };
                foreach (var (variable, option) in phase.EnvFromOptions) phaseModel.EnvFromOptions[variable.Value] = option.Value;
                model.Phases[phase.Name] = phaseModel;
            }
            bundle.Workloads[name] = model;
        }

        foreach (var expose in manifest.Expose)
        {
            bundle.Expose.Add(new ExposeModel
            {
                Path = expose.Path!.Value,
                Target = expose.Target!.Value,
                Endpoints = expose.Endpoints.Select(e => e.Value).ToList(),
                DefaultMcp = expose.DefaultMcp,
            });
        }

        bundle.StartOrder.AddRange(StartOrder(bundle.Workloads));
        return bundle;
    }

    public static string DefaultEndpointPath(string protocol) => protocol switch
    {
        "mcp" => "/mcp",
        "oaic" => "/v1",
        _ => "/",
    };

    /// <summary>Dependencies first; ties keep name order so the result is stable.</summary>
    public static IEnumerable<string> StartOrder(SortedDictionary<string, WorkloadModel> workloads)
    {
        var done = new HashSet<string>(StringComparer.Ordinal);
        var order = new List<string>();
        void Visit(string name, int depth)
        {
            if (depth > workloads.Count || !done.Add(name))
            {
                return;
            }
            foreach (var peer in workloads[name].Connections.Where(workloads.ContainsKey).Order(StringComparer.Ordinal))
            {
                Visit(peer, depth + 1);
            }
            order.Add(name);
        }
        foreach (var name in workloads.Keys)
        {
            Visit(name, 0);
        }
        return order;
    }

    private static string Normalize(string number) =>
        double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value.ToString("R", CultureInfo.InvariantCulture)
            : number;
}
