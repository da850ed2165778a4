using System.Globalization;
using CapaKit.Tasks.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace CapaKit.Tasks.Manifest;

/// <summary>
/// Reads <c>capability.yml</c> into a <see cref="KitManifest"/>. It checks shape only (types, known keys,
/// required keys); cross-references are the <see cref="ManifestValidator"/>'s job.
/// The YAML representation model is used instead of a deserializer so every node keeps its line and column.
/// </summary>
public sealed class ManifestLoader
{
    private readonly string _file;
    private readonly DiagnosticBag _diagnostics;

    private ManifestLoader(string file, DiagnosticBag diagnostics)
    {
        _file = file;
        _diagnostics = diagnostics;
    }

    public static KitManifest? LoadFile(string path, DiagnosticBag diagnostics)
    {
        if (!File.Exists(path))
        {
            diagnostics.Error(DiagnosticCodes.ManifestMissing,
                $"The Kit manifest '{path}' does not exist; create a capability.yml next to the .kitproj or set CapaKitManifest to its path.", path);
            return null;
        }
        return Load(File.ReadAllText(path), path, diagnostics);
    }

    public static KitManifest? Load(string yaml, string file, DiagnosticBag diagnostics)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            var message = (e.InnerException?.Message ?? e.Message).TrimEnd('.');
            diagnostics.Error(DiagnosticCodes.YamlSyntax,
                $"capability.yml is not valid YAML: {message}; fix the syntax at this position.", file, (int)e.Start.Line, (int)e.Start.Column);
            return null;
        }

        var loader = new ManifestLoader(file, diagnostics);
        if (stream.Documents.Count == 0)
        {
            diagnostics.Error(DiagnosticCodes.MissingKey, "capability.yml is empty; it needs at least 'version', 'name' and 'workloads'.", file, 1, 1);
            return null;
        }
        if (stream.Documents.Count > 1)
        {
            var second = stream.Documents[1].RootNode;
            loader.Warn(DiagnosticCodes.UnknownKey, "capability.yml holds more than one YAML document; only the first is read.", second);
        }
        return loader.ReadRoot(stream.Documents[0].RootNode);
    }

    private KitManifest? ReadRoot(YamlNode node)
    {
        if (AsMapping(node, "the manifest") is not { } root)
        {
            return null;
        }

        var manifest = new KitManifest { File = _file, Location = At(root) };
        foreach (var (key, value) in Entries(root, "the manifest",
                     "version", "name", "license", "options", "host_mounts", "secrets", "dependencies", "workloads", "expose", "description"))
        {
            switch (key.Value)
            {
                case "version":
                    if (Scalar(value, "version") is { } version)
                    {
                        manifest.Version = version.Value;
                        if (version.Value != "1")
                        {
                            Error(DiagnosticCodes.UnsupportedVersion, $"Manifest version '{version.Value}' is not supported; this CapaKit reads version '1'.", value);
                        }
                    }
                    break;
                case "name":
                    manifest.Name = Scalar(value, "name");
                    break;
                case "license":
                    manifest.License = Scalar(value, "license")?.Value;
                    break;
                case "description":
                    break;
                case "options":
                    foreach (var (name, body) in NamedMappings(value, "options"))
                    {
                        manifest.Options.Add(ReadOption(name, body));
                    }
                    break;
                case "host_mounts":
                    foreach (var (name, body) in NamedMappings(value, "host_mounts"))
                    {
                        manifest.HostMounts.Add(ReadHostMount(name, body));
                    }
                    break;
                case "secrets":
                    foreach (var (name, body) in NamedMappings(value, "secrets", allowEmptyBody: true))
                    {
                        manifest.Secrets.Add(ReadSecret(name, body));
                    }
                    break;
                case "dependencies":
                    foreach (var (name, body) in NamedMappings(value, "dependencies"))
                    {
                        manifest.Dependencies.Add(ReadDependency(name, body));
                    }
                    break;
                case "workloads":
                    foreach (var (name, body) in NamedMappings(value, "workloads"))
                    {
                        manifest.Workloads.Add(ReadWorkload(name, body));
                    }
                    break;
                case "expose":
                    if (AsSequence(value, "expose") is { } exposeList)
                    {
                        foreach (var item in exposeList)
                        {
                            if (ReadExpose(item) is { } expose)
                            {
                                manifest.Expose.Add(expose);
                            }
                        }
                    }
                    break;
            }
        }

        RequireKey(root, "version", "the manifest");
        RequireKey(root, "name", "the manifest");
        RequireKey(root, "workloads", "the manifest");
        return manifest;
    }

    private OptionDecl ReadOption(Located<string> name, YamlMappingNode body)
    {
        var option = new OptionDecl { Name = name };
        foreach (var (key, value) in Entries(body, $"option '{name.Value}'", "kind", "default", "description", "enum_values", "required"))
        {
            switch (key.Value)
            {
                case "kind":
                    option.Kind = Scalar(value, "kind");
                    break;
                case "default":
                    option.Default = Scalar(value, "default");
                    option.DefaultIsQuoted = value is YamlScalarNode { Style: ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted };
                    break;
                case "description":
                    option.Description = Scalar(value, "description")?.Value;
                    break;
                case "enum_values":
                    option.EnumValues = ScalarList(value, "enum_values");
                    break;
                case "required":
                    break;
            }
        }
        RequireKey(body, "kind", $"option '{name.Value}'");
        return option;
    }

    private HostMountDecl ReadHostMount(Located<string> name, YamlMappingNode body)
    {
        var mount = new HostMountDecl { Name = name };
        foreach (var (key, value) in Entries(body, $"host mount '{name.Value}'", "usage", "access"))
        {
            if (key.Value == "usage")
            {
                mount.Usage = Scalar(value, "usage")?.Value;
            }
            else
            {
                mount.Access = Scalar(value, "access");
            }
        }
        RequireKey(body, "access", $"host mount '{name.Value}'");
        return mount;
    }

    private SecretDecl ReadSecret(Located<string> name, YamlMappingNode? body)
    {
        var secret = new SecretDecl { Name = name };
        if (body is not null)
        {
            foreach (var (_, value) in Entries(body, $"secret '{name.Value}'", "description"))
            {
                secret.Description = Scalar(value, "description")?.Value;
            }
        }
        return secret;
    }

    private DependencyDecl ReadDependency(Located<string> alias, YamlMappingNode body)
    {
        var dependency = new DependencyDecl { Alias = alias };
        foreach (var (key, value) in Entries(body, $"dependency '{alias.Value}'", "source", "options", "mount_bindings"))
        {
            switch (key.Value)
            {
                case "source":
                    dependency.SourceLocation = At(value);
                    if (value is YamlScalarNode)
                    {
                        // A bare string is a local path to another Kit.
                        dependency.Path = Scalar(value, "source");
                    }
                    else if (AsMapping(value, "source") is { } source)
                    {
                        foreach (var (sourceKey, sourceValue) in Entries(source, "source", "package", "path", "git"))
                        {
                            switch (sourceKey.Value)
                            {
                                case "package":
                                    dependency.Package = Scalar(sourceValue, "package");
                                    break;
                                case "path":
                                    dependency.Path = Scalar(sourceValue, "path");
                                    break;
                                case "git":
                                    Error(DiagnosticCodes.UnsupportedDependencySource,
                                        $"Dependency '{alias.Value}' uses a git source, which CapaKit for .NET does not fetch; pack that Kit as a NuGet package (dotnet pack) or point 'path' at its .kitproj.", sourceKey.Location);
                                    break;
                            }
                        }
                    }
                    break;
                case "options":
                    foreach (var (theirs, optionBody) in NamedMappings(value, "options"))
                    {
                        foreach (var (_, fromValue) in Entries(optionBody, $"option '{theirs.Value}' of dependency '{alias.Value}'", "from_option"))
                        {
                            if (Scalar(fromValue, "from_option") is { } ours)
                            {
                                dependency.Options.Add((theirs, ours));
                            }
                        }
                        RequireKey(optionBody, "from_option", $"option '{theirs.Value}' of dependency '{alias.Value}'");
                    }
                    break;
                case "mount_bindings":
                    if (AsMapping(value, "mount_bindings") is { } bindings)
                    {
                        foreach (var (theirs, oursNode) in bindings.Children)
                        {
                            if (Scalar(theirs, "mount name") is { } theirName && Scalar(oursNode, "mount name") is { } ourName)
                            {
                                dependency.MountBindings.Add((theirName, ourName));
                            }
                        }
                    }
                    break;
            }
        }
        RequireKey(body, "source", $"dependency '{alias.Value}'");
        return dependency;
    }

    private WorkloadDecl ReadWorkload(Located<string> name, YamlMappingNode body)
    {
        var workload = new WorkloadDecl { Name = name };
        var context = $"workload '{name.Value}'";
        foreach (var (key, value) in Entries(body, context, "mounts", "endpoints", "connections", "import", "runtime", "secrets", "description", "restart"))
        {
            switch (key.Value)
            {
                case "mounts":
                    foreach (var item in AsSequence(value, "mounts") ?? [])
                    {
                        if (AsMapping(item, "a mount") is not { } mountBody)
                        {
                            continue;
                        }
                        Located<string>? mid = null;
                        Located<string>? access = null;
                        foreach (var (mountKey, mountValue) in Entries(mountBody, $"a mount of {context}", "mount_mid", "access"))
                        {
                            if (mountKey.Value == "mount_mid")
                            {
                                mid = Scalar(mountValue, "mount_mid");
                            }
                            else
                            {
                                access = Scalar(mountValue, "access");
                            }
                        }
                        if (mid is null)
                        {
                            RequireKey(mountBody, "mount_mid", $"a mount of {context}");
                            continue;
                        }
                        workload.Mounts.Add(new MountRef { Mount = mid, Access = access, Location = At(mountBody) });
                    }
                    break;
                case "endpoints":
                    foreach (var item in AsSequence(value, "endpoints") ?? [])
                    {
                        if (item is YamlScalarNode && Scalar(item, "endpoint") is { } protocol)
                        {
                            workload.Endpoints.Add(new EndpointDecl { Protocol = protocol });
                        }
                        else if (AsMapping(item, "an endpoint") is { } endpointBody)
                        {
                            Located<string>? endpointProtocol = null;
                            Located<string>? path = null;
                            foreach (var (endpointKey, endpointValue) in Entries(endpointBody, $"an endpoint of {context}", "protocol", "path"))
                            {
                                if (endpointKey.Value == "protocol")
                                {
                                    endpointProtocol = Scalar(endpointValue, "protocol");
                                }
                                else
                                {
                                    path = Scalar(endpointValue, "path");
                                }
                            }
                            if (endpointProtocol is null)
                            {
                                RequireKey(endpointBody, "protocol", $"an endpoint of {context}");
                                continue;
                            }
                            workload.Endpoints.Add(new EndpointDecl { Protocol = endpointProtocol, Path = path });
                        }
                    }
                    break;
                case "connections":
                    workload.Connections.AddRange(ScalarList(value, "connections") ?? []);
                    break;
                case "secrets":
                    workload.Secrets.AddRange(ScalarList(value, "secrets") ?? []);
                    break;
                case "description":
                    break;
                case "restart":
                    workload.Restart = Scalar(value, "restart");
                    break;
                case "import":
                    if (AsMapping(value, "import") is { } importBody)
                    {
                        var import = new ImportDecl { Location = At(importBody) };
                        foreach (var (importKey, importValue) in Entries(importBody, $"the import of {context}", "dependency", "exposed_path"))
                        {
                            if (importKey.Value == "dependency")
                            {
                                import.Dependency = Scalar(importValue, "dependency");
                            }
                            else
                            {
                                import.ExposedPath = Scalar(importValue, "exposed_path");
                            }
                        }
                        RequireKey(importBody, "dependency", $"the import of {context}");
                        RequireKey(importBody, "exposed_path", $"the import of {context}");
                        workload.Import = import;
                    }
                    break;
                case "runtime":
                    if (AsMapping(value, "runtime") is { } runtimeBody)
                    {
                        workload.Runtime = ReadRuntime(runtimeBody, context);
                    }
                    break;
            }
        }
        return workload;
    }

    private RuntimeDecl ReadRuntime(YamlMappingNode body, string context)
    {
        var runtime = new RuntimeDecl { Location = At(body) };
        foreach (var (_, value) in Entries(body, $"the runtime of {context}", "source"))
        {
            if (AsMapping(value, "source") is not { } source)
            {
                continue;
            }
            runtime.SourceLocation = At(source);
            foreach (var (key, phaseValue) in Entries(source, $"the runtime source of {context}", "toolchain", "prepare", "hydrate", "start"))
            {
                if (key.Value == "toolchain")
                {
                    runtime.Toolchain = Scalar(phaseValue, "toolchain");
                }
                else if (AsMapping(phaseValue, key.Value) is { } phaseBody)
                {
                    runtime.Phases[key.Value] = ReadPhase(key.Value, phaseBody, context);
                }
            }
            RequireKey(source, "toolchain", $"the runtime source of {context}");
        }
        RequireKey(body, "source", $"the runtime of {context}");
        return runtime;
    }

    private PhaseDecl ReadPhase(string name, YamlMappingNode body, string context)
    {
        var phase = new PhaseDecl { Name = name, Location = At(body) };
        var where = $"the {name} phase of {context}";
        foreach (var (key, value) in Entries(body, where, "command", "env_from_options", "network", "allow_network", "timeout_seconds", "registries"))
        {
            switch (key.Value)
            {
                case "command":
                    if (value is YamlSequenceNode)
                    {
                        var args = ScalarList(value, "command") ?? [];
                        phase.CommandArgs = args.Select(a => a.Value).ToList();
                        phase.Command = new Located<string>(string.Join(' ', phase.CommandArgs), At(value));
                    }
                    else
                    {
                        phase.Command = Scalar(value, "command");
                    }
                    break;
                case "env_from_options":
                    if (AsMapping(value, "env_from_options") is { } env)
                    {
                        foreach (var (variableNode, optionNode) in env.Children)
                        {
                            if (Scalar(variableNode, "variable name") is { } variable && Scalar(optionNode, "option name") is { } option)
                            {
                                phase.EnvFromOptions.Add((variable, option));
                            }
                        }
                    }
                    break;
                case "network":
                    if (Scalar(value, "network") is { } network)
                    {
                        phase.Network = network.Value is "none" or "registry" or "full"
                            ? network
                            : ErrorValue(DiagnosticCodes.BadNetwork,
                                $"'network: {network.Value}' in {where} is not a network mode; use none, registry or full.", network);
                    }
                    break;
                case "allow_network":
                    if (Scalar(value, "allow_network") is { } allow)
                    {
                        phase.Network = allow.Value switch
                        {
                            "true" => allow with { Value = "full" },
                            "false" => allow with { Value = "none" },
                            _ => ErrorValue(DiagnosticCodes.BadNetwork, $"'allow_network' in {where} must be true or false.", allow),
                        };
                    }
                    break;
                case "registries":
                    phase.RegistriesLocation = key.Location;
                    phase.Registries = ScalarList(value, "registries");
                    break;
                case "timeout_seconds":
                    if (Scalar(value, "timeout_seconds") is { } timeout)
                    {
                        if (int.TryParse(timeout.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0)
                        {
                            phase.TimeoutSeconds = new Located<int>(seconds, timeout.Location);
                        }
                        else
                        {
                            Error(DiagnosticCodes.BadTimeout, $"'timeout_seconds' in {where} must be a whole number of seconds above 0.", timeout.Location);
                        }
                    }
                    break;
            }
        }
        return phase;
    }

    private ExposeDecl? ReadExpose(YamlNode node)
    {
        if (AsMapping(node, "an expose entry") is not { } body)
        {
            return null;
        }
        var expose = new ExposeDecl { Location = At(body) };
        foreach (var (key, value) in Entries(body, "an expose entry", "path", "target", "endpoints", "default_mcp"))
        {
            switch (key.Value)
            {
                case "path":
                    expose.Path = Scalar(value, "path");
                    break;
                case "target":
                    expose.Target = Scalar(value, "target");
                    break;
                case "endpoints":
                    expose.Endpoints.AddRange(ScalarList(value, "endpoints") ?? []);
                    break;
                case "default_mcp":
                    if (Scalar(value, "default_mcp") is { } flag)
                    {
                        expose.DefaultMcpLocation = flag.Location;
                        if (flag.Value is "true" or "false")
                        {
                            expose.DefaultMcp = flag.Value == "true";
                        }
                        else
                        {
                            Error(DiagnosticCodes.WrongNodeType, "'default_mcp' must be true or false.", flag.Location);
                        }
                    }
                    break;
            }
        }
        RequireKey(body, "path", "an expose entry");
        RequireKey(body, "target", "an expose entry");
        return expose;
    }

    // ---- node helpers -------------------------------------------------------------------------

    private SourceLocation At(YamlNode node) => new(_file, (int)node.Start.Line, (int)node.Start.Column);

    private void Error(string code, string message, YamlNode node) => _diagnostics.Error(code, message, At(node));

    private void Error(string code, string message, SourceLocation at) => _diagnostics.Error(code, message, at);

    private void Warn(string code, string message, YamlNode node) => _diagnostics.Warning(code, message, At(node));

    private Located<string>? ErrorValue(string code, string message, Located<string> at)
    {
        Error(code, message, at.Location);
        return null;
    }

    private YamlMappingNode? AsMapping(YamlNode node, string what)
    {
        if (node is YamlMappingNode mapping)
        {
            return mapping;
        }
        Error(DiagnosticCodes.WrongNodeType, $"{Capitalize(what)} must be a mapping of keys to values, but here it is {Describe(node)}.", node);
        return null;
    }

    private YamlSequenceNode? AsSequence(YamlNode node, string what)
    {
        if (node is YamlSequenceNode sequence)
        {
            return sequence;
        }
        Error(DiagnosticCodes.WrongNodeType, $"'{what}' must be a list, but here it is {Describe(node)}.", node);
        return null;
    }

    private Located<string>? Scalar(YamlNode node, string what)
    {
        if (node is YamlScalarNode scalar && !IsNull(scalar))
        {
            return new Located<string>(scalar.Value ?? "", At(node));
        }
        Error(DiagnosticCodes.WrongNodeType, $"'{what}' must be a single value, but here it is {Describe(node)}.", node);
        return null;
    }

    private List<Located<string>>? ScalarList(YamlNode node, string what)
    {
        if (AsSequence(node, what) is not { } sequence)
        {
            return null;
        }
        var values = new List<Located<string>>();
        foreach (var item in sequence)
        {
            if (Scalar(item, $"an item of {what}") is { } value)
            {
                values.Add(value);
            }
        }
        return values;
    }

    /// <summary>The entries of a mapping with scalar keys; unknown keys are warned about and skipped.</summary>
    private IEnumerable<(Located<string> Key, YamlNode Value)> Entries(YamlMappingNode mapping, string context, params string[] known)
    {
        foreach (var (keyNode, value) in mapping.Children)
        {
            if (Scalar(keyNode, "key") is not { } key)
            {
                continue;
            }
            if (Array.IndexOf(known, key.Value) < 0)
            {
                _diagnostics.Warning(DiagnosticCodes.UnknownKey,
                    $"Unknown key '{key.Value}' in {context} is ignored; the keys read there are: {string.Join(", ", known)}.", key.Location);
                continue;
            }
            yield return (key, value);
        }
    }

    /// <summary>A mapping of name → mapping, as used by options, host_mounts, secrets, dependencies and workloads.</summary>
    private IEnumerable<(Located<string> Name, YamlMappingNode Body)> NamedMappings(YamlNode node, string what, bool allowEmptyBody = false)
    {
        if (AsMapping(node, $"'{what}'") is not { } mapping)
        {
            yield break;
        }
        foreach (var (keyNode, value) in mapping.Children)
        {
            if (Scalar(keyNode, $"a name in {what}") is not { } name)
            {
                continue;
            }
            if (allowEmptyBody && value is YamlScalarNode scalar && IsNull(scalar))
            {
                yield return (name, new YamlMappingNode());
                continue;
            }
            if (AsMapping(value, $"'{what}.{name.Value}'") is { } body)
            {
                yield return (name, body);
            }
        }
    }

    private void RequireKey(YamlMappingNode mapping, string key, string context)
    {
        if (!mapping.Children.ContainsKey(new YamlScalarNode(key)))
        {
            Error(DiagnosticCodes.MissingKey, $"{Capitalize(context)} needs a '{key}' key.", mapping);
        }
    }

    private static bool IsNull(YamlScalarNode scalar) =>
        scalar.Style == ScalarStyle.Plain && (scalar.Value is null or "" or "~" or "null" or "Null" or "NULL");

    private static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode scalar when IsNull(scalar) => "empty",
        YamlScalarNode scalar => $"the value '{scalar.Value}'",
        _ => "something else",
    };

    private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
