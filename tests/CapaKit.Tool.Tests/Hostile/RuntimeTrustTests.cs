using System.Diagnostics;
using CapaKit.Tool.Tests.Support;

namespace CapaKit.Tool.Tests.Hostile;

/// <summary>
/// The runtime around the sandbox never trusts what a sandbox can write. A workload's prepare phase (what a malicious
/// npm postinstall runs) plants links, FIFOs and devices at the names the runtime reads or writes in its root; the
/// runtime must neither write through them, nor read through them, nor hang on them. Every host-side file here belongs
/// to the identity that runs the tool, so the host's own permissions would let each attack through.
/// </summary>
[TestClass]
public sealed class RuntimeTrustTests
{
    private const string Manifest = """
        version: '1'
        name: trapper
        workloads:
          app:
            runtime:
              source:
                toolchain: bun
                prepare:
                  command: /bin/sh plant.sh
                  network: none
                start:
                  command: bun run index.ts
        """;

    /// <summary>The prepare command runs whatever plan.txt says (the test writes it before each run), then succeeds.</summary>
    private const string PlantScript = """
        set -e
        . ./plan.txt
        echo planted
        """;

    private static readonly Dictionary<RunAs, Lazy<TestKit>> Kits = new()
    {
        [RunAs.Root] = new(() => CreateKit(RunAs.Root)),
        [RunAs.User] = new(() => CreateKit(RunAs.User)),
    };

    private static TestKit CreateKit(RunAs who) => TestKit.Create("trapper", Manifest, new Dictionary<string, IReadOnlyDictionary<string, string>>
    {
        ["app"] = new Dictionary<string, string>
        {
            ["plant.sh"] = PlantScript,
            ["plan.txt"] = "true\n",
            // Stays up until stopped; no endpoints, so it is ready once running.
            ["index.ts"] = """
                // Runs start-plan.txt (when the test wrote one) once it is up, then stays up until stopped.
                import { existsSync, readFileSync } from "node:fs";
                if (existsSync("start-plan.txt")) Bun.spawnSync(["/bin/sh", "-c", readFileSync("start-plan.txt", "utf8")]);
                console.log("app up");
                setInterval(() => {}, 1 << 30);
                """,
        },
    }, who);

    /// <summary>Serializes the runs of one identity's Kit (one supervisor per Kit).</summary>
    private static readonly Dictionary<RunAs, object> KitLocks = new() { [RunAs.Root] = new(), [RunAs.User] = new() };

    /// <summary>A host folder of the identity's own, outside the Kit.</summary>
    private static string HostFolder(RunAs who)
    {
        var folder = Path.Combine(TestMachine.Root, $"trust-host-{who}-{Guid.NewGuid().ToString("N")[..8]}".ToLowerInvariant());
        Directory.CreateDirectory(folder);
        Chown(who, folder);
        return folder;
    }

    private static void Chown(RunAs who, string path)
    {
        if (who == RunAs.User)
        {
            TestMachine.Run("chown", "-R", $"{TestMachine.UserName}:{TestMachine.UserName}", path);
        }
    }

    /// <summary>`up -d` with a plan for the prepare phase (a fresh package.json makes prepare run again), then `down`.</summary>
    private static ToolResult UpWithPlan(RunAs who, string plan)
    {
        var kit = Kits[who].Value;
        var root = kit.WorkloadRoot("app");
        // Undo the last plan: whatever it planted (links, FIFOs) goes; the runtime's own folders stay.
        foreach (var name in new[] { "package.json", "bun.lock" })
        {
            File.Delete(Path.Combine(root, name));
        }
        var dotCapakit = Path.Combine(root, ".capakit");
        if (new FileInfo(dotCapakit).LinkTarget is not null)
        {
            File.Delete(dotCapakit);
        }
        File.WriteAllText(Path.Combine(root, "package.json"), $"{{\"name\": \"trap-{Guid.NewGuid():N}\"}}\n");
        File.WriteAllText(Path.Combine(root, "plan.txt"), plan + "\n");
        Chown(who, kit.Directory);
        var up = ToolProcess.Run(who, kit.Directory, ["up", "-d"], timeout: TimeSpan.FromSeconds(90));
        var down = ToolProcess.Run(who, kit.Directory, ["down"]);
        Assert.AreEqual(0, down.ExitCode, down.ToString());
        return up;
    }

    // Guard: the supervisor empties each workload's socket folder before it binds the bridge there (KitSupervisor). A
    // workload of a run whose supervisor was killed left br.sock as a link to a host socket; the next `up` checked
    // whether that "stale socket" was live by connecting to it.
    [TestMethod]
    public void ALinkLeftAtTheBridgeSocketByAKilledRunIsNotFollowed()
    {
        lock (KitLocks[RunAs.Root])
        {
            var kit = Kits[RunAs.Root].Value;
            var root = kit.WorkloadRoot("app");
            var hostSocket = Path.Combine(HostFolder(RunAs.Root), "host.sock");
            using var listener = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
            listener.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(hostSocket));
            listener.Listen();
            var connections = 0;
            _ = Task.Run(async () =>
            {
                while (true)
                {
                    using var accepted = await listener.AcceptAsync();
                    Interlocked.Increment(ref connections);
                }
            });
            File.WriteAllText(Path.Combine(root, "start-plan.txt"), $"b=${{CAPAKIT_WORKLOAD_BRIDGE_BIND#unix:}}; rm -f \"$b\"; ln -s '{hostSocket}' \"$b\"\n");
            var bridge = Runtime.RuntimeKits.Instance(kit).BridgeSocket(0);
            try
            {
                var up = ToolProcess.Run(RunAs.Root, kit.Directory, ["up", "-d"], timeout: TimeSpan.FromSeconds(90));
                Assert.AreEqual(0, up.ExitCode, up.ToString());
                var deadline = DateTime.UtcNow.AddSeconds(30);
                while (new FileInfo(bridge).LinkTarget is null && DateTime.UtcNow < deadline)
                {
                    Thread.Sleep(50); // polling a condition the sandbox sets, with a deadline
                }
                Assert.IsNotNull(new FileInfo(bridge).LinkTarget, "the workload planted its link");
                var state = Tool.Runtime.InstanceState.Read(Runtime.RuntimeKits.Instance(kit).StateFile)!;
                Tool.Sandbox.Linux.Native.Kill(state.SupervisorPid, Tool.Sandbox.Linux.Native.SIGKILL);
                deadline = DateTime.UtcNow.AddSeconds(30);
                while (Tool.Runtime.InstanceState.ProcessAlive(state.SupervisorPid) && DateTime.UtcNow < deadline)
                {
                    Thread.Sleep(50);
                }
                File.Delete(Path.Combine(root, "start-plan.txt"));

                var again = ToolProcess.Run(RunAs.Root, kit.Directory, ["up", "-d"], timeout: TimeSpan.FromSeconds(90));
                Assert.AreEqual(0, again.ExitCode, again.ToString());
                Assert.AreEqual(0, Volatile.Read(ref connections), "the next up connected to the host socket the link names");
            }
            finally
            {
                File.Delete(Path.Combine(root, "start-plan.txt"));
                ToolProcess.Run(RunAs.Root, kit.Directory, ["down"]);
            }
        }
    }

    // Guard: the prepare marker lives in the per-user cache, never in the workload root (PrepareCache). The reported
    // attack: prepare swaps .capakit/prepare.done for a link to a host file, and `up` wrote the next marker through it.
    [TestMethod]
    [DataRow(RunAs.Root)]
    [DataRow(RunAs.User)]
    public void PrepareMarkerSwappedForALinkToAHostFile(RunAs who)
    {
        lock (KitLocks[who])
        {
            var host = HostFolder(who);
            var precious = Path.Combine(host, "authorized_keys");
            File.WriteAllText(precious, "ssh-ed25519 precious\n");
            Chown(who, precious);
            var up = UpWithPlan(who, $"mkdir -p .capakit && ln -sfn '{precious}' .capakit/prepare.done && ln -sfn '{precious}' .capakit/hydrate.done");
            Assert.AreEqual(0, up.ExitCode, up.ToString());
            Assert.AreEqual("ssh-ed25519 precious\n", File.ReadAllText(precious), "the runtime wrote through a link the workload planted");
        }
    }

    // Guard: dependency files are read with O_NOFOLLOW|O_NONBLOCK, regular files only, with a size cap
    // (SandboxWrittenFiles): a link to /dev/zero would exhaust the runtime's memory, a FIFO would hang it.
    [TestMethod]
    [DataRow(RunAs.Root, "ln -sfn /dev/zero package.json", "symbolic link")]
    [DataRow(RunAs.User, "ln -sfn /dev/zero package.json", "symbolic link")]
    [DataRow(RunAs.Root, "rm -f bun.lock && mkfifo bun.lock", "not a regular file")]
    [DataRow(RunAs.User, "rm -f bun.lock && mkfifo bun.lock", "not a regular file")]
    public void DependencyFileSwappedForADeviceOrAFifo(RunAs who, string plan, string why)
    {
        lock (KitLocks[who])
        {
            var clock = Stopwatch.StartNew();
            var up = UpWithPlan(who, plan);
            Assert.AreNotEqual(0, up.ExitCode, up.ToString());
            StringAssert.Contains(up.All, "CAPA0500", up.ToString());
            StringAssert.Contains(up.All, why, up.ToString());
            Assert.IsLessThan(TimeSpan.FromSeconds(60), clock.Elapsed, "the runtime must refuse at once, not read on");
        }
    }

    // Guard: the sandbox's HOME and Bun cache folders are created one component at a time without following links
    // (SandboxWrittenFiles.CreateDirectoryBeneath): a .capakit link to a host folder must not make the runtime create
    // folders there.
    [TestMethod]
    [DataRow(RunAs.Root)]
    [DataRow(RunAs.User)]
    public void DotCapakitSwappedForALinkToAHostFolder(RunAs who)
    {
        lock (KitLocks[who])
        {
            var host = HostFolder(who);
            var up = UpWithPlan(who, $"rm -rf .capakit && ln -s '{host}' .capakit");
            Assert.AreNotEqual(0, up.ExitCode, up.ToString());
            StringAssert.Contains(up.All, "CAPA0500", up.ToString());
            Assert.IsEmpty(Directory.GetFileSystemEntries(host), "the runtime created folders through the planted link");
        }
    }
}

/// <summary>
/// The per-user runtime folder (every running Kit's sockets and state) in a shared temp folder: another user can
/// create its name first, as a link or a folder of theirs. The tool must refuse to use it (CAPA0503) and put nothing there.
/// </summary>
[TestClass]
public sealed class RuntimeFolderTests
{
    [ClassInitialize]
    public static void BuildKits(TestContext _)
    {
        HostileKit.For(RunAs.Root);
        HostileKit.For(RunAs.User);
    }

    private static string UserName(RunAs who) => who == RunAs.User ? TestMachine.UserName : "root";

    /// <summary>A fresh TMPDIR for one run (no XDG_RUNTIME_DIR, so the tool falls back to $TMPDIR/capakit-&lt;user&gt;).</summary>
    private static string FreshTmp(RunAs who)
    {
        var tmp = Path.Combine(TestMachine.Root, "tmpdir-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(tmp);
        // Like /tmp: anyone may create names in it.
        File.SetUnixFileMode(tmp, (UnixFileMode)0b1_111_111_111);
        return tmp;
    }

    private static ToolResult Exec(HostileKit kit, string tmp) =>
        ToolProcess.Run(kit.Who, kit.Kit.Directory, kit.ExecArguments(["/bin/sh", "-c", "echo ran"]),
            new Dictionary<string, string>(kit.ToolEnvironment) { ["TMPDIR"] = tmp });

    // Control: with nothing there, the folder is made private and the command runs.
    [TestMethod]
    [DataRow(RunAs.Root)]
    [DataRow(RunAs.User)]
    public void AMissingRuntimeFolderIsCreatedPrivate(RunAs who)
    {
        var tmp = FreshTmp(who);
        var result = Exec(HostileKit.For(who), tmp);
        Assert.AreEqual(0, result.ExitCode, result.ToString());
        var folder = Path.Combine(tmp, $"capakit-{UserName(who)}");
        Assert.AreEqual(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder));
    }

    // Guard: PrivateFolderCheck (lstat: a directory, owned by the caller, no group or other access).
    [TestMethod]
    [DataRow(RunAs.Root, "link")]
    [DataRow(RunAs.User, "link")]
    [DataRow(RunAs.Root, "foreign")]
    [DataRow(RunAs.User, "foreign")]
    [DataRow(RunAs.Root, "open")]
    [DataRow(RunAs.User, "open")]
    public void APreCreatedRuntimeFolderIsRefused(RunAs who, string how)
    {
        var kit = HostileKit.For(who);
        var tmp = FreshTmp(who);
        var folder = Path.Combine(tmp, $"capakit-{UserName(who)}");
        // The other user's side: a folder they can read (the link's target, or the pre-created folder itself).
        var planted = how == "link" ? Path.Combine(tmp, "attacker-owned") : folder;
        Directory.CreateDirectory(planted);
        File.SetUnixFileMode(planted, (UnixFileMode)0b111_111_111);
        if (how == "link")
        {
            File.CreateSymbolicLink(folder, planted);
        }
        // "foreign": owned by the other identity; "link" and "open": owned by the caller's identity or open to all.
        var owner = how == "foreign" ? (who == RunAs.User ? "root" : TestMachine.UserName) : UserName(who);
        TestMachine.Run("chown", $"{owner}:{owner}", planted);

        var result = Exec(kit, tmp);
        Assert.IsEmpty(Directory.GetFileSystemEntries(planted), $"the tool put its files into the planted folder:\n{result}");
        Assert.AreEqual(125, result.ExitCode, result.ToString());
        StringAssert.Contains(result.StandardError, "CAPA0503", result.ToString());
    }
}

/// <summary>`down` signals only that Kit's own supervisor: a stale state file's pid may belong to any process by now.</summary>
[TestClass]
public sealed class DownPidTests
{
    private static readonly Lazy<TestKit> Kit = new(() => TestKit.Create("downpid", """
        version: '1'
        name: downpid
        workloads:
          app:
            runtime:
              source:
                toolchain: bun
                start:
                  command: bun run index.ts
        """, new Dictionary<string, IReadOnlyDictionary<string, string>> { ["app"] = new Dictionary<string, string> { ["index.ts"] = "setInterval(() => {}, 1 << 30);\n" } }));

    // Guards: the recorded start time (a reused pid is another process) and the supervisor lock (only a live supervisor
    // holds it). Each case leaves exactly one guard standing: "no-start-time" relies on the lock, "same-start-time" on
    // the lock too (the start time matches), "lock-held" on the start time.
    [TestMethod]
    [DoNotParallelize] // the rows share one Kit's instance folder
    [DataRow("no-start-time")]
    [DataRow("same-start-time")]
    [DataRow("lock-held")]
    public void DownLeavesAnUnrelatedProcessAlone(string how)
    {
        var kit = Kit.Value;
        using var bystander = Process.Start(new ProcessStartInfo("/bin/sleep", "600") { UseShellExecute = false })!;
        try
        {
            var instance = Runtime.RuntimeKits.Instance(kit);
            instance.Create();
            long? ticks = how switch
            {
                "same-start-time" => Tool.Runtime.InstanceState.StartTicks(bystander.Id),
                "lock-held" => Tool.Runtime.InstanceState.StartTicks(bystander.Id) + 1,
                _ => null,
            };
            new Tool.Runtime.InstanceState
            {
                Kit = "downpid",
                ProjectFile = kit.ProjectFile,
                SupervisorPid = bystander.Id,
                SupervisorStartTicks = ticks,
                StartedAt = DateTimeOffset.UtcNow,
                Status = "ready",
            }.Write(instance.StateFile);
            using var lockHolder = how == "lock-held"
                ? new FileStream(instance.LockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None)
                : null;

            var down = ToolProcess.Run(RunAs.Root, kit.Directory, ["down"]);
            Assert.AreEqual(0, down.ExitCode, down.ToString());
            StringAssert.Contains(down.StandardError, "is not running", down.ToString());
            Assert.IsFalse(bystander.HasExited, "down signalled a process that is not the Kit's supervisor");
        }
        finally
        {
            bystander.Kill();
        }
    }
}

/// <summary>A copied Kit (cp -a keeps timestamps, so its build looks fresh) must run in its own folder, not the original's.</summary>
[TestClass]
public sealed class MovedKitTests
{
    // Guard: KitBuilder rebuilds when the bundle names another Kit folder than the one it sits in.
    [TestMethod]
    public void ACopiedKitRunsInItsOwnFolder()
    {
        var original = TestKit.Create("moved", """
            version: '1'
            name: moved
            workloads:
              api:
                runtime:
                  source:
                    toolchain: bun
                    start:
                      command: bun run index.ts
            """, new Dictionary<string, IReadOnlyDictionary<string, string>> { ["api"] = new Dictionary<string, string> { ["index.ts"] = "console.log(1);\n" } });
        var copy = original.Directory + "-copy";
        TestMachine.Run("cp", "-a", original.Directory, copy);

        var exec = ToolProcess.Run(RunAs.Root, copy, ["exec", "api", "--", "/bin/sh", "-c", "touch installed-here && pwd"]);
        Assert.AreEqual(0, exec.ExitCode, exec.ToString());
        Assert.IsTrue(File.Exists(Path.Combine(copy, "workloads", "api", "installed-here")), exec.ToString());
        Assert.IsFalse(File.Exists(Path.Combine(original.Directory, "workloads", "api", "installed-here")), "the copy ran in the original Kit's folder");
        StringAssert.Contains(exec.StandardOutput, Path.Combine(copy, "workloads", "api"));
    }
}
