using System.Diagnostics;
using System.Text;
using CapaKit.Bundle;
using CapaKit.Tool.Sandbox.Linux;

namespace CapaKit.Tool.Tests.Linux;

/// <summary>How the launcher picks what bounds a sandbox's process count, and the pieces it picks with.</summary>
[TestClass]
public sealed class ProcessLimitTests
{
    [TestMethod]
    public void Relative_IsTheUsersTasksPlusTheBudget()
    {
        var limit = ProcessLimit.Relative(512, 1000, 1234, ulong.MaxValue, "no pids controller");

        Assert.AreEqual(1746, limit.Nproc);
        Assert.IsEmpty(limit.ScopeCommand);
        StringAssert.StartsWith(limit.Description, "RLIMIT_NPROC 1746 = the 1234 tasks uid 1000 runs now + 512 for this sandbox");
        StringAssert.Contains(limit.Description, "no pids cgroup: no pids controller");
        Assert.DoesNotContain("root", limit.Description);
    }

    [TestMethod]
    public void Relative_StaysWithinTheHardLimit_AndSaysWhenItCannotBindRoot()
    {
        var capped = ProcessLimit.Relative(512, 1000, 4000, 4096, "none");
        var root = ProcessLimit.Relative(512, 0, 10, ulong.MaxValue, "none");

        Assert.AreEqual(4096, capped.Nproc, "prlimit may not raise the hard limit");
        StringAssert.Contains(capped.Description, "capped at the hard limit 4096");
        StringAssert.Contains(root.Description, "does not apply RLIMIT_NPROC to root");
    }

    [TestMethod]
    public void APidsCgroup_IsTheBound_AndRlimitNprocIsLeftAlone()
    {
        var limiter = CgroupLimiter.TryCreate(new ResourceLimits { PidsMax = 64 }, out var reason);
        if (limiter is not { LimitsProcesses: true })
        {
            // This machine gives no pids cgroup to the suite's root: the fallback is what the relative tests cover.
            Assert.IsNotNull(reason);
            limiter?.Dispose();
            return;
        }
        using (limiter)
        {
            var limit = ProcessLimit.Choose(new ResourceLimits { PidsMax = 64, MaxProcesses = 64 }, limiter, reason);

            Assert.IsNull(limit.Nproc);
            Assert.IsEmpty(limit.ScopeCommand);
            StringAssert.StartsWith(limit.Description, "pids cgroup: at most 64 ");
        }
    }

    [TestMethod]
    public void UserTasks_CountsThisProcesssThreads()
    {
        var own = Process.GetCurrentProcess().Threads.Count;

        var counted = UserTasks.Count(UserTasks.RealUid);

        Assert.IsGreaterThanOrEqualTo(own, counted);
    }

    [TestMethod]
    public void UserTasks_ReadsTheRealUidAndThreadsFromAStatusFile()
    {
        var status = Encoding.ASCII.GetBytes("Name:\tbun\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t42\nPid:\t42\nUid:\t999\t0\t0\t0\nGid:\t995\t995\t995\t995\nGroups:\t995 \nVmRSS:\t 1234 kB\nThreads:\t1017\nSigQ:\t0/96369\n");

        Assert.AreEqual((999u, 1017), UserTasks.Parse(status));
        Assert.IsNull(UserTasks.Parse("Name:\tx\nUid:\t1\t1\t1\t1\n"u8), "a cut-off file counts nothing");
    }

    [TestMethod]
    public void SystemdScope_RunsTheRestInAScopeWithTasksAndMemoryMax()
    {
        var command = SystemdUserScope.Command(new ResourceLimits { PidsMax = 512, MemoryMaxBytes = 2L << 30 });

        CollectionAssert.AreEqual(
            new[] { "/usr/bin/systemd-run", "--user", "--scope", "--quiet", "--collect", "-p", "TasksMax=512", "-p", "MemoryMax=2147483648", "--" },
            command.ToArray());
        Assert.IsTrue(SystemdUserScope.ProbeShowsLimit("8\n"));
        Assert.IsFalse(SystemdUserScope.ProbeShowsLimit("max\n"), "a scope without the pids controller reads max");
    }
}
