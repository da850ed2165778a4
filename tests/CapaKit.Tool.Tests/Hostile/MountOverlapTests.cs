using CapaKit.Tool.Tests.Support;
using static CapaKit.Tool.Tests.Hostile.HostileKit;

namespace CapaKit.Tool.Tests.Hostile;

/// <summary>
/// A host mount is the user's to give, but a Kit's README can ask for the wrong folder (`--mount data=.`). A mount over
/// what the runtime trusts would let the workload rewrite it: the manifest and bundle the next run obeys, another
/// workload's root, the runtime folder of every running Kit, the user-secrets store, the caches every build and
/// sandbox loads from. The attacker tries to write into each through its read-write mount <c>scratch</c>; the tool
/// must refuse the mount before anything runs (CAPA0502), so the write never happens.
/// </summary>
[TestClass]
public sealed class MountOverlapTests
{
    [ClassInitialize]
    public static void BuildKits(TestContext _)
    {
        For(RunAs.Root);
        For(RunAs.User);
    }

    /// <summary>The host folder each case hands over as <c>scratch</c>, created (and owned by the identity) when missing.</summary>
    private static string Target(HostileKit kit, string what)
    {
        var home = kit.Who == RunAs.User ? TestMachine.UserHome : Environment.GetEnvironmentVariable("HOME") ?? "/root";
        var user = kit.Who == RunAs.User ? TestMachine.UserName : "root";
        var path = what switch
        {
            "kit" => kit.Kit.Directory,
            "above-kit" => Path.GetDirectoryName(kit.Kit.Directory)!,
            "bundle" => Path.Combine(kit.Kit.Directory, "bin", "Debug", "kit"),
            "obj" => Path.Combine(kit.Kit.Directory, "obj"),
            "other-root" => kit.VictimRoot,
            "runtime" => Path.Combine(Path.GetTempPath(), $"capakit-{user}"),
            "user-secrets" => Path.Combine(home, ".microsoft", "usersecrets"),
            "nuget" => Path.Combine(home, ".nuget", "packages"),
            "cache" => Path.Combine(home, ".cache", "capakit"),
            "bun" => Path.GetDirectoryName(TestMachine.Bun)!,
            _ => throw new ArgumentOutOfRangeException(nameof(what)),
        };
        if (!Directory.Exists(path))
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            if (kit.Who == RunAs.User)
            {
                TestMachine.Run("chown", $"{TestMachine.UserName}:{TestMachine.UserName}", path);
            }
        }
        return path;
    }

    // Guard: MountOverlapCheck, before the sandbox is built. Without it the write below lands (the identity may write
    // each of these folders on the host; the Bun folder and `above-kit` are root's, so as the user only the check's
    // message can tell).
    [TestMethod]
    [DataRow(RunAs.Root, "kit")]
    [DataRow(RunAs.User, "kit")]
    [DataRow(RunAs.Root, "above-kit")]
    [DataRow(RunAs.Root, "bundle")]
    [DataRow(RunAs.User, "bundle")]
    [DataRow(RunAs.Root, "obj")]
    [DataRow(RunAs.Root, "other-root")]
    [DataRow(RunAs.User, "other-root")]
    [DataRow(RunAs.Root, "runtime")]
    [DataRow(RunAs.User, "runtime")]
    [DataRow(RunAs.Root, "user-secrets")]
    [DataRow(RunAs.User, "user-secrets")]
    [DataRow(RunAs.Root, "nuget")]
    [DataRow(RunAs.User, "nuget")]
    [DataRow(RunAs.Root, "cache")]
    [DataRow(RunAs.User, "cache")]
    [DataRow(RunAs.Root, "bun")]
    public void WriteThroughAMountOverAProtectedFolder(RunAs who, string what)
    {
        var kit = For(who);
        var target = Target(kit, what);
        var marker = $"pwned-{Guid.NewGuid():N}";
        var result = ToolProcess.Run(who, kit.Kit.Directory,
            ["exec", "attacker", "--kit", kit.Kit.ProjectFile, "--mount", $"shared={kit.Shared}", "--mount", $"scratch={target}",
             "--", "/bin/sh", "-c", "echo pwned > \"$1/$2\"", "sh", target, marker],
            kit.ToolEnvironment);
        Assert.IsFalse(File.Exists(Path.Combine(target, marker)), $"the workload wrote into {what} ({target}):\n{result}");
        Assert.AreEqual(2, result.ExitCode, result.ToString());
        StringAssert.Contains(result.StandardError, "CAPA0502", result.ToString());
        StringAssert.Contains(result.StandardError, "scratch", result.ToString());
    }

    // Guard: MountOverlapCheck's "own root" rule: a read-only mount over the workload's root (or above it) would be
    // bound after the root and hide it, leaving the workload a read-only root.
    [TestMethod]
    [DataRow(RunAs.Root)]
    [DataRow(RunAs.User)]
    public void ReadOnlyMountOverTheWorkloadsOwnRoot(RunAs who)
    {
        var kit = For(who);
        var result = ToolProcess.Run(who, kit.Kit.Directory,
            ["exec", "attacker", "--kit", kit.Kit.ProjectFile, "--mount", $"shared={kit.AttackerRoot}", "--mount", $"scratch={kit.Scratch}",
             "--", "/bin/sh", "-c", "touch still-writable"],
            kit.ToolEnvironment);
        Assert.AreEqual(2, result.ExitCode, result.ToString());
        StringAssert.Contains(result.StandardError, "CAPA0502", result.ToString());
        StringAssert.Contains(result.StandardError, "own root", result.ToString());
    }

    // A folder of its own, even inside the Kit folder, stays a valid mount: the check refuses overlaps, not locations.
    [TestMethod]
    [DataRow(RunAs.Root)]
    [DataRow(RunAs.User)]
    public void AFolderOfItsOwnInsideTheKitIsAccepted(RunAs who)
    {
        var kit = For(who);
        var data = Path.Combine(kit.Kit.Directory, "data-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(data);
        if (who == RunAs.User)
        {
            TestMachine.Run("chown", $"{TestMachine.UserName}:{TestMachine.UserName}", data);
        }
        var result = ToolProcess.Run(who, kit.Kit.Directory,
            ["exec", "attacker", "--kit", kit.Kit.ProjectFile, "--mount", $"shared={kit.Shared}", "--mount", $"scratch={data}",
             "--", "/bin/sh", "-c", "echo ok > \"$1/ok.txt\"", "sh", data],
            kit.ToolEnvironment);
        Assert.AreEqual(0, result.ExitCode, result.ToString());
        Assert.AreEqual("ok\n", File.ReadAllText(Path.Combine(data, "ok.txt")));
    }
}
