using CapaKit.Tool.Sandbox.Linux;

namespace CapaKit.Tool.Tests.Linux;

/// <summary>The /etc/passwd and /etc/group the runtime writes for a sandbox instead of binding the host's.</summary>
[TestClass]
public sealed class SandboxUserDatabaseTests
{
    [TestMethod]
    public void NamesTheSandboxUserWithItsHome_AndOnlyRootAndNobodyBesides()
    {
        var passwd = SandboxUserDatabase.Passwd("/kits/todo/workloads/api/.capakit/home");

        CollectionAssert.AreEqual(
            new[]
            {
                "root:x:0:0:root:/root:/usr/sbin/nologin",
                $"capakit:x:{LinuxSandboxLauncher.SandboxUid}:{LinuxSandboxLauncher.SandboxUid}:CapaKit sandbox:/kits/todo/workloads/api/.capakit/home:/bin/sh",
                "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin",
            },
            passwd.TrimEnd('\n').Split('\n'));
        CollectionAssert.AreEqual(new[] { "root:x:0:", "capakit:x:1000:", "nogroup:x:65534:" }, SandboxUserDatabase.Group().TrimEnd('\n').Split('\n'));
    }

    [TestMethod]
    [DataRow("/kits/a:b/home")]
    [DataRow("/kits/a\nevil:x:0:0::/:/bin/sh\n/home")]
    [DataRow("")]
    public void AHomeThatWouldBreakTheFile_IsLeftOut(string home)
    {
        var lines = SandboxUserDatabase.Passwd(home).TrimEnd('\n').Split('\n');

        Assert.HasCount(3, lines);
        Assert.AreEqual("capakit:x:1000:1000:CapaKit sandbox:/:/bin/sh", lines[1]);
    }

    [TestMethod]
    public void Write_PutsBothFilesInTheRunsFolder()
    {
        var folder = Directory.CreateTempSubdirectory("capakit-users-").FullName;
        try
        {
            var (passwd, group) = SandboxUserDatabase.Write(folder, "/home-inside");

            Assert.AreEqual(Path.Combine(folder, "passwd"), passwd);
            Assert.AreEqual(Path.Combine(folder, "group"), group);
            StringAssert.Contains(File.ReadAllText(passwd), ":/home-inside:");
            Assert.AreEqual(SandboxUserDatabase.Group(), File.ReadAllText(group));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
