using CapaKit.Bundle;
using CapaKit.Tasks.Policies;
using CapaKit.Tasks.Tests.Support;

namespace CapaKit.Tasks.Tests.Policies;

/// <summary>
/// Whole generated policies compared byte for byte with reviewed copies in Golden/. After an intended change,
/// run with <c>CAPAKIT_UPDATE_GOLDEN=1</c> to rewrite the copies in the source tree, then review the diff.
/// </summary>
[TestClass]
public sealed class GoldenFileTests
{
    [TestMethod]
    public void ApiStartSeatbeltProfile() => Compare("todo.api.start.sb", MacRun.Profile("api", "start"));

    [TestMethod]
    public void WebPrepareSeatbeltProfile() => Compare("todo.web.prepare.sb", MacRun.Profile("web", "prepare"));

    [TestMethod]
    public void ApiStartLinuxSpec()
    {
        var kit = TodoKit.Build();
        Compare("todo.api.start.linux.json", BundleFormat.Serialize(LinuxSandboxSpecWriter.Write(kit, kit.Workloads["api"], "start")));
    }

    private static void Compare(string name, string actual)
    {
        if (Environment.GetEnvironmentVariable("CAPAKIT_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(RepoPaths.Combine("tests", "CapaKit.Tasks.Tests", "Golden", name), actual);
            return;
        }
        var path = Path.Combine(AppContext.BaseDirectory, "Golden", name);
        Assert.IsTrue(File.Exists(path), $"{name} is missing; run the tests with CAPAKIT_UPDATE_GOLDEN=1 to write it, then review it.");
        Assert.AreEqual(File.ReadAllText(path), actual, $"{name} changed; if intended, rerun with CAPAKIT_UPDATE_GOLDEN=1 and review the diff.");
    }
}
