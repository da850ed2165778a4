namespace CapaKit.Tasks.Tests.Policies.Sbpl;

/// <summary>
/// Answers what a process under an SBPL profile may do, given the <c>-D</c> parameter values, with Seatbelt's
/// semantics: the <c>default</c> rule first, then the last rule whose operation and filter match wins; several
/// filters in one rule match when any does. Paths in questions are resolved like the kernel does before
/// Seatbelt sees them, so a rule written with a symlink spelling (<c>/tmp/...</c>) matches nothing, as on a Mac.
/// </summary>
public sealed class SeatbeltPolicy
{
    private readonly SbplProfile _profile;
    private readonly IReadOnlyDictionary<string, string> _parameters;

    public SeatbeltPolicy(SbplProfile profile, IReadOnlyDictionary<string, string> parameters)
    {
        _profile = profile;
        _parameters = parameters;
    }

    public static SeatbeltPolicy Load(string profileText, IReadOnlyDictionary<string, string> parameters) =>
        new(SbplProfile.Parse(profileText), parameters);

    public SbplProfile Profile => _profile;

    public bool MayReadFile(string path) => Allows(File("file-read-data", path, "REGULAR-FILE"));
    public bool MayListDirectory(string path) => Allows(File("file-read-data", path, "DIRECTORY"));
    public bool MayStat(string path, bool isDirectory = false) => Allows(File("file-read-metadata", path, isDirectory ? "DIRECTORY" : "REGULAR-FILE"));
    /// <summary>lstat()/readlink() of a symlink: the link itself is checked, not what it points to.</summary>
    public bool MayReadLink(string path) => Allows(new SbplQuery("file-read-metadata") { Path = MacPath.Resolve(path, followLast: false), VnodeType = "SYMLINK" });
    public bool MayWriteFile(string path) => Allows(File("file-write-data", path, "REGULAR-FILE"));
    public bool MayWriteDevice(string path) => Allows(File("file-write-data", path, "CHARACTER-DEVICE"));
    public bool MayReadDevice(string path) => Allows(File("file-read-data", path, "CHARACTER-DEVICE"));
    public bool MayCreateFile(string path) => Allows(File("file-write-create", path, "REGULAR-FILE"));
    public bool MayDeleteFile(string path) => Allows(File("file-write-unlink", path, "REGULAR-FILE"));
    public bool MayMapExecutable(string path) => Allows(File("file-map-executable", path, "REGULAR-FILE"));
    public bool MayExec(string path) => Allows(File("process-exec", path, "REGULAR-FILE"));

    /// <summary>An outbound TCP/UDP connection; the local end is whatever address and ephemeral port the kernel picks.</summary>
    public bool MayConnectIp(string host, int port)
    {
        var remote = new SbplIpEndpoint(host, port);
        return Allows(new SbplQuery("network-outbound") { Remote = remote, Local = new SbplIpEndpoint(remote.IsLoopback ? "localhost" : "*", null) });
    }

    public bool MayBindIp(string host, int port) =>
        Allows(new SbplQuery("network-bind") { Local = new SbplIpEndpoint(host, port) });

    public bool MayCreateSocket(string domain) => Allows(new SbplQuery("system-socket") { SocketDomain = domain });

    /// <summary>Connecting to a unix socket takes creating one (system-socket) and the outbound rule for its path.</summary>
    public bool MayConnectUnixSocket(string path) =>
        MayCreateSocket("AF_UNIX") && Allows(new SbplQuery("network-outbound") { Remote = new SbplUnixEndpoint(MacPath.Resolve(path)) });

    /// <summary>Listening on a unix socket takes creating one and the bind rule for its path.</summary>
    public bool MayBindUnixSocket(string path) =>
        MayCreateSocket("AF_UNIX") && Allows(new SbplQuery("network-bind") { Local = new SbplUnixEndpoint(MacPath.Resolve(path)) });

    public bool MayAcceptOnUnixSocket(string path) =>
        Allows(new SbplQuery("network-inbound") { Local = new SbplUnixEndpoint(MacPath.Resolve(path)) });

    public bool MayLookupMach(string name) => Allows(new SbplQuery("mach-lookup") { GlobalName = name });
    public bool MayReadSysctl(string name) => Allows(new SbplQuery("sysctl-read") { SysctlName = name });
    public bool MayWriteSysctl(string name) => Allows(new SbplQuery("sysctl-write") { SysctlName = name });
    public bool MaySignal(string target) => Allows(new SbplQuery("signal") { Target = target });
    public bool MayInspectProcess(string target) => Allows(new SbplQuery("process-info-pidinfo") { Target = target });
    public bool MayFork() => Allows(new SbplQuery("process-fork"));
    public bool MayUsePosixSemaphores() => Allows(new SbplQuery("ipc-posix-sem"));

    public bool Allows(SbplQuery query)
    {
        bool? decision = null;
        foreach (var rule in _profile.Rules)
        {
            if (rule.Operations.Any(op => OperationMatches(op, query.Operation))
                && (rule.Filters.Count == 0 || rule.Filters.Any(f => Matches(f, query))))
            {
                decision = rule.Allows;
            }
        }
        return decision ?? throw new SbplException($"No rule, not even a default, decides {query.Operation}.");
    }

    private static SbplQuery File(string operation, string path, string vnodeType) =>
        new(operation) { Path = MacPath.Resolve(path), VnodeType = vnodeType };

    private static bool OperationMatches(string ruleOperation, string operation) =>
        ruleOperation == "default"
        || ruleOperation == operation
        || (ruleOperation.EndsWith('*') && operation.StartsWith(ruleOperation[..^1], StringComparison.Ordinal));

    private bool Matches(SList filter, SbplQuery query)
    {
        var args = filter.Arguments.ToList();
        switch (filter.Head)
        {
            case "require-any":
                return args.Any(a => Matches((SList)a, query));
            case "require-all":
                return args.All(a => Matches((SList)a, query));
            case "require-not":
                return !Matches((SList)args[0], query);
            case "literal":
                return PathOf(filter, query) == Text(args[0]);
            case "subpath":
                var folder = Text(args[0]).TrimEnd('/');
                var path = PathOf(filter, query);
                return folder.Length == 0 || path == folder || path.StartsWith(folder + "/", StringComparison.Ordinal);
            case "prefix":
                return PathOf(filter, query).StartsWith(Text(args[0]), StringComparison.Ordinal);
            case "regex":
                return SbplRegex.Translate(((SRegex)args[0]).Pattern).IsMatch(PathOf(filter, query));
            case "vnode-type":
                PathOf(filter, query);
                return query.VnodeType == Name(args[0]);
            case "global-name":
                Expect(filter, query, "mach-");
                return query.GlobalName == Text(args[0]);
            case "sysctl-name":
                Expect(filter, query, "sysctl-");
                return query.SysctlName == Text(args[0]);
            case "socket-domain":
                Expect(filter, query, "system-socket");
                return query.SocketDomain == SocketDomain(args[0]);
            case "target":
                Expect(filter, query, "signal", "process-info");
                return Name(args[0]) switch
                {
                    "self" => query.Target == "self",
                    // Processes in this sandbox include this one.
                    "same-sandbox" => query.Target is "self" or "same-sandbox",
                    var other => throw new SbplException($"Unknown target '{other}' in {filter}"),
                };
            case "remote" or "local":
                Expect(filter, query, "network-");
                var endpoint = filter.Head == "remote" ? query.Remote : query.Local;
                return (Name(args[0]), endpoint) switch
                {
                    ("ip", SbplIpEndpoint ip) => SbplIpAddress.Parse(((SString)args[1]).Value).Matches(ip),
                    ("unix-socket", SbplUnixEndpoint unix) => unix.Path == Text(((SList)args[1]).Items[1]),
                    _ => false,
                };
            default:
                throw new SbplException($"Unknown filter {filter}");
        }
    }

    private static string PathOf(SList filter, SbplQuery query)
    {
        Expect(filter, query, "file-", "process-exec");
        return query.Path ?? throw new SbplException($"{query.Operation} has no path for {filter}");
    }

    /// <summary>A filter paired with an operation it says nothing about is a profile this checker cannot judge.</summary>
    private static void Expect(SList filter, SbplQuery query, params string[] operationPrefixes)
    {
        if (!operationPrefixes.Any(p => query.Operation.StartsWith(p, StringComparison.Ordinal)))
        {
            throw new SbplException($"Filter {filter} does not apply to {query.Operation}.");
        }
    }

    private string Text(SExpression expression) => expression switch
    {
        SString s => s.Value,
        SList { Head: "param" } param => _parameters.TryGetValue(((SString)param.Items[1]).Value, out var value)
            ? value
            : throw new SbplException($"Parameter {((SString)param.Items[1]).Value} was not given."),
        SList { Head: "string-append" } append => string.Concat(append.Arguments.Select(Text)),
        _ => throw new SbplException($"Not a string expression: {expression}"),
    };

    private static string Name(SExpression expression) => expression switch
    {
        SSymbol symbol => symbol.Name,
        _ => throw new SbplException($"Expected a name: {expression}"),
    };

    private static string SocketDomain(SExpression expression) => expression switch
    {
        SSymbol symbol => symbol.Name,
        SNumber { Value: 1 } => "AF_UNIX",
        SNumber { Value: 2 } => "AF_INET",
        SNumber { Value: 30 } => "AF_INET6",
        _ => throw new SbplException($"Unknown socket domain {expression}"),
    };
}
