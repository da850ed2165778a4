namespace CapaKit.Tasks.Tests.Policies.Sbpl;

/// <summary>The checker itself: SBPL semantics on small hand-written profiles, and refusal of what it does not understand.</summary>
[TestClass]
public sealed class SeatbeltPolicyTests
{
    private static readonly Dictionary<string, string> NoParameters = new(StringComparer.Ordinal);

    private static SeatbeltPolicy Load(string rules, Dictionary<string, string>? parameters = null) =>
        SeatbeltPolicy.Load("(version 1)\n(deny default)\n" + rules, parameters ?? NoParameters);

    [TestMethod]
    public void DefaultDecidesWhenNoRuleMatches()
    {
        Assert.IsFalse(Load("").MayReadFile("/a"));
        Assert.IsTrue(SeatbeltPolicy.Load("(version 1) (allow default)", NoParameters).MayReadFile("/a"));
    }

    [TestMethod]
    public void LaterMatchingRuleWins()
    {
        var policy = Load("""
            (allow file-read* (subpath "/a"))
            (deny file-read-data (literal "/a/secret"))
            """);
        Assert.IsTrue(policy.MayReadFile("/a/x"));
        Assert.IsFalse(policy.MayReadFile("/a/secret"));
        Assert.IsTrue(policy.MayStat("/a/secret"), "the deny named file-read-data only");
        Assert.IsFalse(policy.MayReadFile("/ab"), "subpath is by path component");
    }

    [TestMethod]
    public void OperationWildcardsCoverTheirFamily()
    {
        var policy = Load("(allow file-write* (subpath \"/w\")) (allow network* (remote ip \"localhost:8080\"))");
        Assert.IsTrue(policy.MayWriteFile("/w/f"));
        Assert.IsTrue(policy.MayCreateFile("/w/f"));
        Assert.IsTrue(policy.MayDeleteFile("/w/f"));
        Assert.IsFalse(policy.MayReadFile("/w/f"));
        Assert.IsTrue(policy.MayConnectIp("localhost", 8080));
        Assert.IsTrue(policy.MayConnectIp("127.0.0.1", 8080));
        Assert.IsFalse(policy.MayConnectIp("localhost", 8081));
        Assert.IsFalse(policy.MayConnectIp("example.com", 8080));
    }

    [TestMethod]
    public void PathFiltersLiteralSubpathPrefixRegex()
    {
        var policy = Load("""
            (allow file-read-data (literal "/l/exact"))
            (allow file-read-data (prefix "/p/start"))
            (allow file-read-data (regex #"^/r/[^/]+\.json$"))
            """);
        Assert.IsTrue(policy.MayReadFile("/l/exact"));
        Assert.IsFalse(policy.MayReadFile("/l/exact/child"));
        Assert.IsTrue(policy.MayReadFile("/p/started"), "prefix is by characters");
        Assert.IsTrue(policy.MayReadFile("/r/a.json"));
        Assert.IsFalse(policy.MayReadFile("/r/a/b.json"));
        Assert.IsFalse(policy.MayReadFile("/r/a.jsonx"));
    }

    [TestMethod]
    public void RequireAnyAllNot()
    {
        var policy = Load("""
            (allow file-read-data (require-all (subpath "/a") (require-not (literal "/a/hidden"))))
            (allow file-read-data (require-any (literal "/x") (literal "/y")))
            """);
        Assert.IsTrue(policy.MayReadFile("/a/shown"));
        Assert.IsFalse(policy.MayReadFile("/a/hidden"));
        Assert.IsTrue(policy.MayReadFile("/y"));
        Assert.IsFalse(policy.MayReadFile("/z"));
    }

    [TestMethod]
    public void ParametersAndStringAppendAreSubstituted()
    {
        var parameters = new Dictionary<string, string> { ["ROOT"] = "/tmp/run" };
        var policy = Load("(allow file-read-data (subpath (string-append \"/private\" (param \"ROOT\"))))", parameters);
        Assert.IsTrue(policy.MayReadFile("/private/tmp/run/f"));
        Assert.IsTrue(policy.MayReadFile("/tmp/run/f"), "the /tmp spelling resolves to the same file");
        Assert.Throws<SbplException>(() => Load("(allow file-read-data (subpath (param \"MISSING\")))").MayReadFile("/x"));
    }

    [TestMethod]
    public void RulesSpelledThroughSymlinksMatchNothing()
    {
        var text = "(version 1)\n(deny default)\n(allow file-read* (subpath \"/tmp/cache\"))";
        var policy = SeatbeltPolicy.Load(text, NoParameters);
        Assert.IsFalse(policy.MayReadFile("/tmp/cache/f"));
        Assert.IsFalse(policy.MayReadFile("/private/tmp/cache/f"));
        Assert.IsNotEmpty(SbplLint.Problems(text));
    }

    [TestMethod]
    public void UnixSocketsNeedSocketCreationBindAndConnectRules()
    {
        var withoutCreation = Load("(allow network-outbound (remote unix-socket (path-literal \"/s/peer\"))) (allow network-bind (local unix-socket (path-literal \"/s/me\")))");
        Assert.IsFalse(withoutCreation.MayConnectUnixSocket("/s/peer"));
        Assert.IsFalse(withoutCreation.MayBindUnixSocket("/s/me"));

        var complete = Load("""
            (allow system-socket (socket-domain AF_UNIX))
            (allow network-outbound (remote unix-socket (path-literal "/s/peer")))
            (allow network-bind (local unix-socket (path-literal "/s/me")))
            """);
        Assert.IsTrue(complete.MayConnectUnixSocket("/s/peer"));
        Assert.IsFalse(complete.MayConnectUnixSocket("/s/me"));
        Assert.IsTrue(complete.MayBindUnixSocket("/s/me"));
        Assert.IsFalse(complete.MayBindUnixSocket("/s/peer"));
        Assert.IsFalse(complete.MayConnectIp("localhost", 80));
    }

    [TestMethod]
    public void LocalIpWildcardAllowsAllEgressAndTheLintCatchesIt()
    {
        var text = "(version 1)\n(deny default)\n(allow network-outbound (local ip \"*:*\"))";
        var policy = SeatbeltPolicy.Load(text, NoParameters);
        Assert.IsTrue(policy.MayConnectIp("example.com", 443), "the srt bug: any destination");
        Assert.IsTrue(policy.MayConnectIp("localhost", 5432));
        Assert.IsNotEmpty(SbplLint.Problems(text));

        var localhostOnly = Load("(allow network-outbound (local ip \"localhost:*\"))");
        Assert.IsTrue(localhostOnly.MayConnectIp("localhost", 5432));
        Assert.IsFalse(localhostOnly.MayConnectIp("example.com", 443));
    }

    [TestMethod]
    public void LintCatchesLaunchServicesAndAllowDefault()
    {
        Assert.IsNotEmpty(SbplLint.Problems("(version 1) (deny default) (allow mach-lookup (global-name \"com.apple.lsd.mapdb\"))"));
        Assert.IsNotEmpty(SbplLint.Problems("(version 1) (deny default) (allow mach-lookup)"));
        Assert.IsNotEmpty(SbplLint.Problems("(version 1) (allow default)"));
        Assert.IsEmpty(SbplLint.Problems("(version 1) (deny default) (allow mach-lookup (global-name \"com.apple.cfprefsd.agent\"))"));
    }

    [TestMethod]
    public void MachSysctlSignalAndSocketDomainFilters()
    {
        var policy = Load("""
            (allow mach-lookup (global-name "com.example.one"))
            (allow sysctl-read (sysctl-name "hw.ncpu"))
            (allow signal (target same-sandbox))
            (allow process-info* (target self))
            (allow system-socket (socket-domain 1))
            """);
        Assert.IsTrue(policy.MayLookupMach("com.example.one"));
        Assert.IsFalse(policy.MayLookupMach("com.example.two"));
        Assert.IsTrue(policy.MayReadSysctl("hw.ncpu"));
        Assert.IsFalse(policy.MayWriteSysctl("hw.ncpu"));
        Assert.IsTrue(policy.MaySignal("self"));
        Assert.IsTrue(policy.MaySignal("same-sandbox"));
        Assert.IsFalse(policy.MaySignal("others"));
        Assert.IsTrue(policy.MayInspectProcess("self"));
        Assert.IsFalse(policy.MayInspectProcess("same-sandbox"));
        Assert.IsTrue(policy.MayCreateSocket("AF_UNIX"));
        Assert.IsFalse(policy.MayCreateSocket("AF_INET"));
    }

    [TestMethod]
    [DataRow("(allow file-read* (glob \"/x\"))", DisplayName = "unknown filter")]
    [DataRow("(allow file-teleport (subpath \"/x\"))", DisplayName = "unknown operation")]
    [DataRow("(import \"system.sb\")", DisplayName = "import")]
    [DataRow("(define (f) 1)", DisplayName = "define")]
    [DataRow("(allow network-outbound (remote ip \"127.0.0.1:80\"))", DisplayName = "numeric host")]
    [DataRow("(allow network-outbound (remote ip \"localhost:80-90\"))", DisplayName = "port range")]
    [DataRow("(allow network-outbound (remote tcp \"localhost:80\"))", DisplayName = "unknown address kind")]
    [DataRow("(allow file-read* (regex #\"^/x/\\d+$\"))", DisplayName = "non-POSIX regex escape")]
    [DataRow("(allow file-read* (regex \"^/x\"))", DisplayName = "regex without #")]
    [DataRow("(allow file-read* (literal (getenv \"HOME\")))", DisplayName = "unknown string expression")]
    [DataRow("(allow file-read* (literal \"/x\") file-write*)", DisplayName = "operation after filter")]
    [DataRow("(allow file-read* (literal \"/x\"", DisplayName = "unclosed list")]
    [DataRow("(deny default) (allow file-read* (with report) (literal \"/x\"))", DisplayName = "with modifier")]
    public void UnknownFormsAreRefused(string rules)
    {
        Assert.Throws<SbplException>(() => SbplProfile.Parse("(version 1)\n(deny default)\n" + rules));
    }

    [TestMethod]
    public void ProfilesWithoutVersionOrDefaultAreRefused()
    {
        Assert.Throws<SbplException>(() => SbplProfile.Parse("(deny default)"));
        Assert.Throws<SbplException>(() => SbplProfile.Parse("(version 2) (deny default)"));
        Assert.Throws<SbplException>(() => SbplProfile.Parse("(version 1) (allow file-read* (subpath \"/\"))"));
    }

    [TestMethod]
    public void FilterThatDoesNotFitItsOperationIsRefusedWhenAsked()
    {
        var policy = Load("(allow mach-lookup (literal \"/x\"))");
        Assert.Throws<SbplException>(() => policy.MayLookupMach("com.example"));
    }

    [TestMethod]
    public void CommentsAndEscapesAreRead()
    {
        var policy = Load("; a comment (allow default)\n(allow file-read-data (literal \"/with \\\"quote\\\"\")) ; trailing");
        Assert.IsTrue(policy.MayReadFile("/with \"quote\""));
        Assert.IsFalse(policy.MayReadFile("/other"));
    }
}
