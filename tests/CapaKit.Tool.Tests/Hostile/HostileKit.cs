using CapaKit.Tool.Tests.Support;

namespace CapaKit.Tool.Tests.Hostile;

/// <summary>
/// What the hostile suite attacks from and what it attacks, one set per identity, built once for all the suite's
/// classes. The Kit has two workloads: <c>attacker</c> (the programs of Attacks/ in <c>attacks/</c> of its root, a
/// read-only mount <c>shared</c> and a read-write mount <c>scratch</c>; phases <c>start</c> without network,
/// <c>prepare</c> with registry network and <c>hydrate</c> with full network) and <c>victim</c> (a secret in its root).
/// Around it on the host: a folder outside the Kit with a secret in it, and a fake home with an SSH key. Everything
/// on the host side belongs to the identity that runs the tool, so the host's own permissions would let each attack
/// through: only the sandbox stands in the way. Every run gets a secret variable in the tool's environment, and
/// no run's output may contain any of the secrets.
/// </summary>
internal sealed class HostileKit
{
    public const string SecretVariable = "CAPAKIT_HOSTILE_SECRET";

    private const string Manifest = """
        version: '1'
        name: hostile
        host_mounts:
          shared: {usage: Reference data, access: read_only}
          scratch: {usage: Scratch space, access: read_write}
        workloads:
          attacker:
            mounts:
              - {mount_mid: shared, access: read_only}
              - {mount_mid: scratch, access: read_write}
            runtime:
              source:
                toolchain: bun
                prepare:
                  command: bun install
                  network: registry
                hydrate:
                  command: bun run index.ts
                  network: full
                start:
                  command: bun run index.ts
          victim:
            runtime:
              source:
                toolchain: bun
                start:
                  command: bun run index.ts
        """;

    private static readonly Dictionary<RunAs, Lazy<HostileKit>> Kits = new()
    {
        [RunAs.Root] = new(() => new HostileKit(RunAs.Root)),
        [RunAs.User] = new(() => new HostileKit(RunAs.User)),
    };

    private HostileKit(RunAs who)
    {
        Who = who;
        var attackFiles = Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "Attacks"))
            .ToDictionary(f => "attacks/" + Path.GetFileName(f), File.ReadAllText);
        attackFiles["index.ts"] = "console.log('attacker');\n";
        Kit = TestKit.Create("hostile", Manifest, new Dictionary<string, IReadOnlyDictionary<string, string>>
        {
            ["attacker"] = attackFiles,
            ["victim"] = new Dictionary<string, string>
            {
                ["index.ts"] = "console.log('victim');\n",
                ["secret.txt"] = VictimSecret + "\n",
            },
        }, who);

        var host = Path.Combine(TestMachine.Root, $"hostile-host-{who}-{Guid.NewGuid().ToString("N")[..6]}".ToLowerInvariant());
        Outside = Path.Combine(host, "outside");
        FakeHome = Path.Combine(host, "home");
        Shared = Path.Combine(host, "shared");
        Scratch = Path.Combine(host, "scratch");
        foreach (var folder in new[] { Outside, Path.Combine(FakeHome, ".ssh"), Shared, Scratch })
        {
            Directory.CreateDirectory(folder);
        }
        File.WriteAllText(Path.Combine(Outside, "secret.txt"), OutsideSecret + "\n");
        File.WriteAllText(SshKey, $"-----BEGIN OPENSSH PRIVATE KEY-----\n{SshKeySecret}\n-----END OPENSSH PRIVATE KEY-----\n");
        File.SetUnixFileMode(SshKey, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.SetUnixFileMode(Path.Combine(FakeHome, ".ssh"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.WriteAllText(Path.Combine(Shared, "readme.txt"), "reference\n");
        if (who == RunAs.User)
        {
            TestMachine.Run("chown", "-R", $"{TestMachine.UserName}:{TestMachine.UserName}", host);
        }
    }

    public RunAs Who { get; }
    public TestKit Kit { get; }
    public string AttackerRoot => Kit.WorkloadRoot("attacker");
    public string VictimRoot => Kit.WorkloadRoot("victim");

    /// <summary>A host folder outside the Kit, writable by the identity, holding <c>secret.txt</c>.</summary>
    public string Outside { get; }

    /// <summary>The host user's home as an attacker imagines it: <c>.ssh/id_rsa</c>, mode 600.</summary>
    public string FakeHome { get; }

    public string SshKey => Path.Combine(FakeHome, ".ssh", "id_rsa");
    public string Shared { get; }
    public string Scratch { get; }

    /// <summary>The value of <see cref="SecretVariable"/> in the tool's environment.</summary>
    public string HostSecret { get; } = "host-secret-" + Guid.NewGuid().ToString("N");
    public string SshKeySecret { get; } = "ssh-key-secret-" + Guid.NewGuid().ToString("N");
    public string OutsideSecret { get; } = "outside-secret-" + Guid.NewGuid().ToString("N");
    public string VictimSecret { get; } = "victim-secret-" + Guid.NewGuid().ToString("N");

    private IEnumerable<string> Secrets => [HostSecret, SshKeySecret, OutsideSecret, VictimSecret];

    public static HostileKit For(RunAs who) => Kits[who].Value;

    /// <summary>`bun attacks/&lt;file&gt; args...` (Bun is on the sandbox's PATH).</summary>
    public static string[] BunScript(string file, params string[] args) => ["bun", "attacks/" + file, .. args];

    public static string[] ShScript(string file, params string[] args) => ["/bin/sh", "attacks/" + file, .. args];

    /// <summary>A marker of digits only: it goes into `sleep 600.&lt;marker&gt;`, so the host's process table shows it.</summary>
    public static string NumericMarker() => Random.Shared.NextInt64(100_000_000, 999_999_999).ToString();

    /// <summary>The attacker's phases: no network, registry network (its own loopback, the egress proxy), full network.</summary>
    public const string Start = "start", Prepare = "prepare", Hydrate = "hydrate";

    /// <summary>Every identity with every attacker phase, for attacks that must fail the same way in each.</summary>
    public static IEnumerable<object[]> EveryPhase =>
        from who in new[] { RunAs.Root, RunAs.User }
        from phase in new[] { Start, Prepare, Hydrate }
        select new object[] { who, phase };

    /// <summary>Every identity with the attacker's phases that have network.</summary>
    public static IEnumerable<object[]> NetworkPhases =>
        from who in new[] { RunAs.Root, RunAs.User }
        from phase in new[] { Prepare, Hydrate }
        select new object[] { who, phase };

    /// <summary>The tool's arguments for one command in the attacker's sandbox (start phase unless <c>--phase</c> is among the options).</summary>
    public string[] ExecArguments(string[] command, params string[] toolOptions) =>
        ["exec", "attacker", "--kit", Kit.ProjectFile, "--mount", $"shared={Shared}", "--mount", $"scratch={Scratch}", .. toolOptions, "--", .. command];

    public Dictionary<string, string> ToolEnvironment => new() { [SecretVariable] = HostSecret };

    public ToolResult Exec(string[] command, string[]? toolOptions = null, TimeSpan? timeout = null) =>
        ToolProcess.Run(Who, Kit.Directory, ExecArguments(command, toolOptions ?? []), ToolEnvironment, timeout: timeout);

    /// <summary>One command in the attacker's sandbox for <paramref name="phase"/>.</summary>
    public ToolResult ExecIn(string phase, string[] command, string[]? toolOptions = null, TimeSpan? timeout = null) =>
        Exec(command, ["--phase", phase, .. toolOptions ?? []], timeout);

    /// <summary>Runs one attack and returns its verdict line, which must say BLOCKED; no secret may show anywhere in the output.</summary>
    public string Attack(params string[] command) => AssertBlocked(Exec(command));

    /// <summary><see cref="Attack(string[])"/> in the sandbox of <paramref name="phase"/>.</summary>
    public string AttackIn(string phase, params string[] command) => AssertBlocked(ExecIn(phase, command), phase);

    public string AssertBlocked(ToolResult result, string phase = Start)
    {
        var verdict = Verdict(result);
        Console.WriteLine($"{Who} {phase}: {verdict}"); // the test's output: what stopped the attack
        StringAssert.StartsWith(verdict, "BLOCKED ", $"The attack got through ({Who}, {phase}):\n{result}");
        AssertNoSecretIn(result.All);
        return verdict;
    }

    public void AssertNoSecretIn(string output)
    {
        foreach (var secret in Secrets)
        {
            Assert.DoesNotContain(secret, output, $"A host secret reached the output ({Who}):\n{output}");
        }
    }

    /// <summary>The attack program's one verdict line: BLOCKED, ESCAPED or ERROR, and it ran to its end (exit code 0).</summary>
    public static string Verdict(ToolResult result)
    {
        var verdicts = result.StandardOutput.Split('\n')
            .Where(l => l.StartsWith("BLOCKED ", StringComparison.Ordinal) || l.StartsWith("ESCAPED ", StringComparison.Ordinal) || l.StartsWith("ERROR ", StringComparison.Ordinal))
            .ToList();
        Assert.AreEqual(1, verdicts.Count, $"The attack must print exactly one verdict line:\n{result}");
        Assert.AreEqual(0, result.ExitCode, $"The attack program must run to its verdict:\n{result}");
        return verdicts[0];
    }
}
