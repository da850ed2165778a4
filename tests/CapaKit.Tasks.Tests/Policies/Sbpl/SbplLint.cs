namespace CapaKit.Tasks.Tests.Policies.Sbpl;

/// <summary>
/// Known ways a Seatbelt profile goes wrong that are cheap to spot in any profile, whatever its parameters:
/// <c>(local ip ...)</c> with a wildcard host in an allow (it matches all egress), LaunchServices lookups
/// (the open-URL escape), path rules spelled through the /tmp, /var or /etc links (they match nothing),
/// and <c>(allow default)</c>.
/// </summary>
public static class SbplLint
{
    public static readonly IReadOnlyList<string> LaunchServicesNames =
    [
        "com.apple.lsd.mapdb",
        "com.apple.lsd.modifydb",
        "com.apple.lsd.open",
        "com.apple.coreservices.launchservicesd",
    ];

    private static readonly string[] LinkedFolders = ["/tmp", "/var", "/etc"];

    public static IReadOnlyList<string> Problems(string profileText)
    {
        var profile = SbplProfile.Parse(profileText);
        var problems = new List<string>();

        foreach (var rule in profile.Rules)
        {
            if (rule.Allows && rule.Operations.Contains("default"))
            {
                problems.Add("(allow default) opens everything.");
            }
            foreach (var filter in rule.Filters.SelectMany(Flatten))
            {
                if (rule.Allows && filter is { Head: "local" } && filter.Items[1] is SSymbol { Name: "ip" }
                    && filter.Items[2] is SString address && address.Value.StartsWith("*:", StringComparison.Ordinal))
                {
                    problems.Add($"{filter} matches every outbound connection, whatever its destination.");
                }
                if (SymlinkSpelling(filter) is { } spelled)
                {
                    problems.Add($"{filter} goes through the {spelled} link; Seatbelt sees resolved paths, so it matches nothing.");
                }
            }
        }

        // Whatever the parameters, a LaunchServices lookup must be denied: evaluate with placeholder values.
        var placeholders = profile.Parameters.ToDictionary(p => p, p => "/nonexistent/capakit-lint/" + p, StringComparer.Ordinal);
        var policy = new SeatbeltPolicy(profile, placeholders);
        problems.AddRange(LaunchServicesNames.Where(policy.MayLookupMach).Select(n => $"mach-lookup of {n} (LaunchServices) is allowed."));
        return problems;
    }

    public static void AssertClean(string profileText)
    {
        var problems = Problems(profileText);
        Assert.IsEmpty(problems, string.Join("\n", problems));
    }

    private static IEnumerable<SList> Flatten(SList filter) =>
        filter.Head is "require-any" or "require-all" or "require-not"
            ? filter.Arguments.OfType<SList>().SelectMany(Flatten)
            : [filter];

    /// <summary>The text a string expression surely starts with: all of a string, the leading string of a string-append.</summary>
    private static (string? Text, bool CoversChildren) FixedStart(SExpression expression, bool coversChildren) => expression switch
    {
        SString s => (s.Value, coversChildren),
        SList { Head: "string-append" } append when append.Items.Count > 1 && append.Items[1] is SString first => (first.Value, true),
        _ => (null, false),
    };

    /// <summary>The link a path filter's fixed text goes through (<c>/tmp/x</c>, or a subpath/prefix of <c>/tmp</c>), if any.</summary>
    private static string? SymlinkSpelling(SList filter)
    {
        var (text, coversChildren) = filter switch
        {
            { Head: "literal" } => FixedStart(filter.Items[1], false),
            { Head: "subpath" or "prefix" } => FixedStart(filter.Items[1], true),
            { Head: "regex" } when filter.Items[1] is SRegex r => (r.Pattern.TrimStart('^'), true),
            { Head: "local" or "remote" } when filter.Items[2] is SList { Head: "path-literal" } p => FixedStart(p.Items[1], false),
            _ => (null, false),
        };
        if (text is null)
        {
            return null;
        }
        // The link itself (literal "/tmp") is a real path; anything beneath it is not.
        return LinkedFolders.FirstOrDefault(link =>
            text.StartsWith(link + "/", StringComparison.Ordinal) || (coversChildren && text == link));
    }
}
