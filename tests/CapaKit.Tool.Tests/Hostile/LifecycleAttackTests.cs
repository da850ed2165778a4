using System.Diagnostics;
using System.Text.RegularExpressions;
using CapaKit.Tool.Tests.Support;
using static CapaKit.Tool.Tests.Hostile.HostileKit;

namespace CapaKit.Tool.Tests.Hostile;

/// <summary>
/// A hostile workload goes for the host's resources and for a life beyond its command: fork bombs, filling
/// memory-backed file systems, processes left behind, surviving the runtime. The host's process table is
/// searched for a marker the attack's processes carry (`sleep 600.&lt;marker&gt;`), polling against a deadline.
/// </summary>
[TestClass]
public sealed class LifecycleAttackTests
{
    /// <summary>The phases' process budgets (LinuxSandboxSpecWriter): pids.max per sandbox, or RLIMIT_NPROC on top of the identity's tasks.</summary>
    private static int Budget(string phase) => phase == Prepare ? 1024 : 512;

    /// <summary>
    /// Where RLIMIT_NPROC is the bound, it is the identity's task count at launch plus the budget, so processes of the
    /// identity that end during the bomb leave the bomb that much more room; a leaked bomb is 2000.
    /// </summary>
    private const int OtherTasksEndingMeanwhile = 100;

    /// <summary>The start phase's /tmp size (LinuxSandboxSpecWriter), in MiB.</summary>
    private const int StartPhaseTmpMiB = 256;

    [ClassInitialize]
    public static void BuildKits(TestContext _)
    {
        For(RunAs.Root);
        For(RunAs.User);
    }

    // Guards: the pids cgroup (pids.max) where one can be had (v1 as root, a delegated v2 subtree, a systemd user
    // scope), else RLIMIT_NPROC through prlimit at the identity's current task count plus the budget; the pid
    // namespace takes every process with it when the command ends. As root only a cgroup binds: the kernel never
    // applies RLIMIT_NPROC to host uid 0. Not run next to other tests: where RLIMIT_NPROC is the bound it counts
    // all the identity's processes, so a bomb would starve a sandbox running beside it.
    [TestMethod]
    [DoNotParallelize]
    [DynamicData(nameof(EveryPhase), typeof(HostileKit))]
    public void ForkBomb(RunAs who, string phase) => AssertForkBombStopped(For(who), phase);

    // Guard: the process limit counts the sandbox, not the identity's other processes. RLIMIT_NPROC counts every
    // thread of the identity on the host, so at a fixed value an identity already running that many threads could not
    // start a sandbox at all ("bwrap: Creating new namespace failed: Resource temporarily unavailable"). The sandbox
    // must start, say in the debug printout what bounds it, and still stop a fork bomb.
    [TestMethod]
    [DoNotParallelize]
    [DataRow(RunAs.Root)]
    [DataRow(RunAs.User)]
    public void StartAndStopAForkBombWhileTheIdentityRunsAThousandThreads(RunAs who)
    {
        var kit = For(who);
        using var holder = ThreadHolder.Start(who, 1000);
        Assert.IsGreaterThanOrEqualTo(1000, holder.Threads);
        Assert.IsGreaterThanOrEqualTo(1000, HostProcesses.ThreadsOf(who), "the identity must hold the threads while the sandbox starts");

        var environment = new Dictionary<string, string>(kit.ToolEnvironment) { ["CAPAKIT_DEBUG_SEATBELT_POLICY"] = "1" };
        var result = ToolProcess.Run(who, kit.Kit.Directory, kit.ExecArguments(["/bin/sh", "-c", "echo started"]), environment);

        Assert.AreEqual(0, result.ExitCode, result.ToString());
        StringAssert.Contains(result.StandardOutput, "started", result.ToString());
        var limit = result.All.Split('\n').Single(l => l.StartsWith("process limit: ", StringComparison.Ordinal));
        Console.WriteLine($"{who}: {limit}");
        if (Regex.Match(limit, @"RLIMIT_NPROC (\d+) = the (\d+) tasks .* \+ (\d+) for this sandbox") is { Success: true } relative)
        {
            Assert.IsGreaterThanOrEqualTo(1000, int.Parse(relative.Groups[2].Value), $"the count must include the identity's threads: {limit}");
            Assert.AreEqual(512, int.Parse(relative.Groups[3].Value), limit);
        }
        else
        {
            StringAssert.Matches(limit, new Regex("^process limit: (pids cgroup|systemd user scope): at most 512 "), limit);
        }

        AssertForkBombStopped(kit, Start);
    }

    private static void AssertForkBombStopped(HostileKit kit, string phase)
    {
        var marker = NumericMarker();
        var before = HostProcesses.Count();
        var clock = Stopwatch.StartNew();
        var result = kit.ExecIn(phase, ShScript("fork-bomb.sh", marker), ["--timeout", "60"], timeout: TimeSpan.FromSeconds(90));
        clock.Stop();
        var verdict = kit.AssertBlocked(result, phase);
        var running = int.Parse(Regex.Match(verdict, @"with (\d+) processes").Groups[1].Value);
        Assert.IsLessThanOrEqualTo(Budget(phase) + OtherTasksEndingMeanwhile, running, verdict);
        Assert.IsLessThan(TimeSpan.FromSeconds(60), clock.Elapsed, "the sandbox must end well within its time limit");
        var left = HostProcesses.WaitUntilGone(marker, TimeSpan.FromSeconds(10));
        Assert.IsEmpty(left, $"processes of the bomb outlived the sandbox:\n{HostProcesses.Describe(left)}");
        // Slack for whatever else the machine starts meanwhile; a leaked bomb is hundreds.
        Assert.IsLessThanOrEqualTo(before + 50, HostProcesses.Count(), "the host's process count must be back where it was");
    }

    // Guard: bwrap's --size cap on the private /tmp tmpfs (ENOSPC at the cap); /tmp is not the host's.
    [TestMethod]
    [DataRow(RunAs.Root)]
    [DataRow(RunAs.User)]
    public void FillTmpPastItsCap(RunAs who)
    {
        var marker = NumericMarker();
        var verdict = For(who).Attack(ShScript("fill.sh", "/tmp", marker, (StartPhaseTmpMiB * 2).ToString()));
        var written = int.Parse(Regex.Match(verdict, @"no space left after (\d+) MiB").Groups[1].Value);
        Assert.IsLessThanOrEqualTo(StartPhaseTmpMiB, written, verdict);
        Assert.IsFalse(File.Exists(Path.Combine(Path.GetTempPath(), $"fill-{marker}")), "the fill landed in the host's /tmp");
    }

    // Guard: / is remounted read-only after the binds (--remount-ro /). bwrap's root is a tmpfs with no size cap,
    // so a writable root would take host memory up to half the RAM past the /tmp cap.
    [TestMethod]
    [DataRow(RunAs.Root)]
    [DataRow(RunAs.User)]
    public void FillTheRootFileSystem(RunAs who)
    {
        var marker = NumericMarker();
        var verdict = For(who).Attack(ShScript("fill.sh", "/", marker, (StartPhaseTmpMiB * 2).ToString()));
        StringAssert.Contains(verdict, "Read-only file system");
        Assert.IsFalse(File.Exists($"/fill-{marker}"));
    }

    // Guard: /dev/shm is its own tmpfs with the /tmp cap, and the rest of /dev is read-only. bwrap's --dev is an
    // uncapped tmpfs, so /dev/shm would otherwise take host memory past the /tmp cap.
    [TestMethod]
    [DataRow(RunAs.Root)]
    [DataRow(RunAs.User)]
    public void FillDevShmPastTheCap(RunAs who)
    {
        var kit = For(who);
        var marker = NumericMarker();
        var verdict = kit.Attack(ShScript("fill.sh", "/dev/shm", marker, (StartPhaseTmpMiB * 2).ToString()));
        var written = int.Parse(Regex.Match(verdict, @"no space left after (\d+) MiB").Groups[1].Value);
        Assert.IsLessThanOrEqualTo(StartPhaseTmpMiB, written, verdict);
        StringAssert.Contains(kit.Attack(ShScript("fill.sh", "/dev", marker, "1")), "Read-only file system");
        Assert.IsFalse(File.Exists($"/dev/shm/fill-{marker}"));
    }

    // Guard: the pid namespace: when the command ends, bwrap's init (pid 1) exits and the kernel kills every
    // process left in the namespace. (The sleep holds no pipe of the tool's, so nothing waits on it.)
    [TestMethod]
    [DataRow(RunAs.Root)]
    [DataRow(RunAs.User)]
    public void LeaveABackgroundProcessBehind(RunAs who)
    {
        var marker = NumericMarker();
        var result = For(who).Exec(ShScript("background.sh", marker));
        Assert.AreEqual(0, result.ExitCode, result.ToString());
        StringAssert.StartsWith(result.StandardOutput, "STARTED ", result.ToString());
        // The bare marker also finds a forked child that has not exec'd sleep yet.
        var left = HostProcesses.WaitUntilGone(marker, TimeSpan.FromSeconds(5));
        Assert.IsEmpty(left, $"a background process outlived the sandbox:\n{HostProcesses.Describe(left)}");
    }

    // Guards: --die-with-parent (bwrap gets SIGKILL when the tool dies) and the pid namespace (its init's death
    // kills everything inside). The tool is SIGKILLed, so it can clean nothing up itself.
    [TestMethod]
    [DataRow(RunAs.Root)]
    [DataRow(RunAs.User)]
    public void SurviveTheRuntimeBeingKilled(RunAs who)
    {
        var kit = For(who);
        var marker = NumericMarker();
        using var tool = new BackgroundTool(who, kit.Kit.Directory, kit.ExecArguments(ShScript("survivor.sh", marker)), kit.ToolEnvironment);
        Assert.IsNotNull(tool.WaitForLine("STARTED ", TimeSpan.FromSeconds(60)), $"the sandbox did not start: {tool.Output}");
        Assert.IsNotEmpty(HostProcesses.WaitUntilPresent("600." + marker, TimeSpan.FromSeconds(10)), "the host must see the sandbox's sleep, or its absence later proves nothing");

        var toolProcess = HostProcesses.WithMarker(marker)
            .Single(p => p.Argv[0].EndsWith("dotnet", StringComparison.Ordinal) && p.Argv.Contains(ToolProcess.ToolDll));
        Process.GetProcessById(toolProcess.Pid).Kill(); // SIGKILL

        var left = HostProcesses.WaitUntilGone(marker, TimeSpan.FromSeconds(10));
        Assert.IsEmpty(left, $"processes of the sandbox outlived the killed tool:\n{HostProcesses.Describe(left)}");
    }
}
