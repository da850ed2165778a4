namespace CapaKit.Tasks.Tests.Policies.Sbpl;

/// <summary>One <c>(allow ...)</c> or <c>(deny ...)</c>: it applies to a request when an operation matches and any filter does (or it has none).</summary>
public sealed record SbplRule(bool Allows, IReadOnlyList<string> Operations, IReadOnlyList<SList> Filters);

/// <summary>
/// A parsed SBPL profile: <c>(version 1)</c> followed by allow/deny rules. Every form and filter is checked
/// against what this checker understands, and anything else throws, so it never answers about a profile it
/// did not fully read.
/// </summary>
public sealed class SbplProfile
{
    /// <summary>Operations this checker knows; a trailing '*' covers every operation with that prefix.</summary>
    public static readonly IReadOnlySet<string> KnownOperations = new HashSet<string>(StringComparer.Ordinal)
    {
        "default",
        "file*", "file-read*", "file-read-data", "file-read-metadata", "file-read-xattr",
        "file-write*", "file-write-data", "file-write-create", "file-write-unlink", "file-write-mode",
        "file-write-owner", "file-write-times", "file-write-xattr", "file-map-executable", "file-ioctl",
        "process*", "process-fork", "process-exec*", "process-exec", "process-exec-interpreter", "process-info*",
        "process-info-pidinfo", "process-info-setcontrol", "signal",
        "sysctl*", "sysctl-read", "sysctl-write",
        "mach*", "mach-lookup", "mach-register",
        "ipc-posix*", "ipc-posix-sem", "ipc-posix-shm*",
        "network*", "network-outbound", "network-inbound", "network-bind", "system-socket",
        "pseudo-tty", "iokit-open", "user-preference-read",
    };

    private static readonly IReadOnlySet<string> KnownFilters = new HashSet<string>(StringComparer.Ordinal)
    {
        "literal", "subpath", "prefix", "regex", "vnode-type", "require-any", "require-all", "require-not",
        "global-name", "sysctl-name", "socket-domain", "target", "remote", "local",
    };

    private SbplProfile(IReadOnlyList<SbplRule> rules, IReadOnlySet<string> parameters)
    {
        Rules = rules;
        Parameters = parameters;
    }

    public IReadOnlyList<SbplRule> Rules { get; }

    /// <summary>Every <c>(param "NAME")</c> the profile reads.</summary>
    public IReadOnlySet<string> Parameters { get; }

    public static SbplProfile Parse(string text)
    {
        var forms = SExpressionReader.ReadAll(text);
        if (forms.Count == 0 || forms[0] is not SList { Head: "version" } version
            || version.Items.Count != 2 || version.Items[1] is not SNumber { Value: 1 })
        {
            throw new SbplException("A profile must start with (version 1).");
        }

        var rules = new List<SbplRule>();
        var parameters = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var form in forms.Skip(1))
        {
            if (form is not SList { Head: "allow" or "deny" } rule)
            {
                throw new SbplException($"Unsupported top-level form: {form}");
            }
            var operations = new List<string>();
            var filters = new List<SList>();
            foreach (var item in rule.Arguments)
            {
                switch (item)
                {
                    case SSymbol operation when filters.Count == 0:
                        if (!KnownOperations.Contains(operation.Name))
                        {
                            throw new SbplException($"Unknown operation '{operation.Name}' in {rule}");
                        }
                        operations.Add(operation.Name);
                        break;
                    case SList filter:
                        CheckFilter(filter, parameters);
                        filters.Add(filter);
                        break;
                    default:
                        throw new SbplException($"Unexpected {item} in {rule}");
                }
            }
            if (operations.Count == 0)
            {
                throw new SbplException($"Rule without an operation: {rule}");
            }
            if (operations.Contains("default") && (operations.Count > 1 || filters.Count > 0))
            {
                throw new SbplException($"'default' takes no other operation and no filter: {rule}");
            }
            rules.Add(new SbplRule(rule.Head == "allow", operations, filters));
        }
        if (!rules.Any(r => r.Operations.Contains("default")))
        {
            throw new SbplException("The profile has no (deny default) or (allow default).");
        }
        return new SbplProfile(rules, parameters);
    }

    /// <summary>Checks a filter's shape up front, so an unknown form fails even if no question ever reaches it.</summary>
    private static void CheckFilter(SList filter, ISet<string> parameters)
    {
        var name = filter.Head ?? throw new SbplException($"A filter must start with a name: {filter}");
        if (!KnownFilters.Contains(name))
        {
            throw new SbplException($"Unknown filter '{name}' in {filter}");
        }
        var args = filter.Arguments.ToList();
        switch (name)
        {
            case "require-any" or "require-all":
                foreach (var arg in args)
                {
                    CheckFilter(arg as SList ?? throw new SbplException($"{name} takes filters: {filter}"), parameters);
                }
                break;
            case "require-not":
                ExpectCount(filter, args, 1);
                CheckFilter(args[0] as SList ?? throw new SbplException($"require-not takes a filter: {filter}"), parameters);
                break;
            case "regex":
                ExpectCount(filter, args, 1);
                if (args[0] is not SRegex regex)
                {
                    throw new SbplException($"regex takes a #\"...\" literal: {filter}");
                }
                SbplRegex.Translate(regex.Pattern);
                break;
            case "vnode-type" or "socket-domain" or "target":
                ExpectCount(filter, args, 1);
                if (args[0] is not (SSymbol or SNumber))
                {
                    throw new SbplException($"{name} takes a name: {filter}");
                }
                break;
            case "remote" or "local":
                ExpectCount(filter, args, 2);
                switch (args[0])
                {
                    case SSymbol { Name: "ip" } when args[1] is SString address:
                        SbplIpAddress.Parse(address.Value);
                        break;
                    case SSymbol { Name: "unix-socket" } when args[1] is SList { Head: "path-literal" } path && path.Items.Count == 2:
                        CheckStringExpression(path.Items[1], parameters);
                        break;
                    default:
                        throw new SbplException($"Unsupported address in {filter}");
                }
                break;
            default: // literal, subpath, prefix, global-name, sysctl-name
                ExpectCount(filter, args, 1);
                CheckStringExpression(args[0], parameters);
                break;
        }
    }

    private static void CheckStringExpression(SExpression expression, ISet<string> parameters)
    {
        switch (expression)
        {
            case SString:
                return;
            case SList { Head: "param" } param when param.Items.Count == 2 && param.Items[1] is SString name:
                parameters.Add(name.Value);
                return;
            case SList { Head: "string-append" } append:
                foreach (var part in append.Arguments)
                {
                    CheckStringExpression(part, parameters);
                }
                return;
            default:
                throw new SbplException($"Unsupported string expression: {expression}");
        }
    }

    private static void ExpectCount(SList filter, List<SExpression> args, int count)
    {
        if (args.Count != count)
        {
            throw new SbplException($"'{filter.Head}' takes {count} argument(s): {filter}");
        }
    }
}
