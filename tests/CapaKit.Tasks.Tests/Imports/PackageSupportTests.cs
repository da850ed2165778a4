using CapaKit.Tasks.Imports;

namespace CapaKit.Tasks.Tests.Imports;

[TestClass]
public sealed class PackageSupportTests
{
    [TestMethod]
    [DataRow("1.0.0", "1.0.0", true)]
    [DataRow("1.0.0", "0.9.9", false)]
    [DataRow("1.0.0", "2.0.0", true)]
    [DataRow("[1.0.0]", "1.0.0", true)]
    [DataRow("[1.0.0]", "1.0.1", false)]
    [DataRow("[1.0, 2.0)", "2.0.0", false)]
    [DataRow("[1.0, 2.0)", "1.9.9", true)]
    [DataRow("(1.0, 2.0]", "1.0.0", false)]
    [DataRow("(, 2.0]", "2.0", true)]
    [DataRow("1.0.0", "1.0.0-beta", false)]
    [DataRow("1.0.0-beta.2", "1.0.0-beta.10", true)]
    [DataRow("[1.0.0-beta.10]", "1.0.0-beta.2", false)]
    [DataRow("", "3.0.0", true)]
    public void VersionRangesFollowNuGetNotation(string range, string version, bool contained) =>
        Assert.AreEqual(contained, NuGetVersionRange.Contains(range, version), $"{version} in {range}");

    [TestMethod]
    public void APackageSourceCopyKeepsInstallsAndDropsFilesThePackageNoLongerHas()
    {
        var root = Directory.CreateTempSubdirectory("capakit-copy-").FullName;
        try
        {
            var package = Path.Combine(root, "package", "kit");
            var copy = Path.Combine(root, "copy");
            Write(Path.Combine(package, "workloads", "api", "index.ts"), "one");
            Write(Path.Combine(package, "workloads", "api", "old.ts"), "old");
            Assert.HasCount(2, PackageSourceCopy.Sync(package, copy).Written);
            Write(Path.Combine(copy, "workloads", "api", "node_modules", "x", "index.js"), "installed");

            Assert.IsEmpty(PackageSourceCopy.Sync(package, copy).Written, "an unchanged package writes nothing");

            File.Delete(Path.Combine(package, "workloads", "api", "old.ts"));
            Write(Path.Combine(package, "workloads", "api", "index.ts"), "two");
            CollectionAssert.AreEqual(new[] { Path.Combine(copy, "workloads", "api", "index.ts") }, PackageSourceCopy.Sync(package, copy).Written.ToArray());
            Assert.AreEqual("two", File.ReadAllText(Path.Combine(copy, "workloads", "api", "index.ts")));
            Assert.IsFalse(File.Exists(Path.Combine(copy, "workloads", "api", "old.ts")));
            Assert.IsTrue(File.Exists(Path.Combine(copy, "workloads", "api", "node_modules", "x", "index.js")), "installs survive");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [TestMethod]
    public void APackageSourceCopyLeavesOutBuildInputsAndNeverWritesThroughAPlantedLink()
    {
        var root = Directory.CreateTempSubdirectory("capakit-copy-").FullName;
        try
        {
            var package = Path.Combine(root, "package", "kit");
            var copy = Path.Combine(root, "copy");
            var hostFile = Path.Combine(root, "host-file");
            File.WriteAllText(hostFile, "host");
            Write(Path.Combine(package, "workloads", "api", "index.ts"), "one");
            Write(Path.Combine(package, "workloads", "api", "Directory.Build.props"), "<Project />");
            Write(Path.Combine(package, "workloads", "api", "obj", "x.targets"), "<Project />");
            var first = PackageSourceCopy.Sync(package, copy);
            CollectionAssert.AreEqual(new[] { "workloads/api/Directory.Build.props", "workloads/api/obj/x.targets" }, first.LeftOut.ToArray());
            Assert.IsFalse(File.Exists(Path.Combine(copy, "workloads", "api", "Directory.Build.props")));

            // A workload swaps its source for a link to a host file; the package then changes.
            var index = Path.Combine(copy, "workloads", "api", "index.ts");
            File.Delete(index);
            File.CreateSymbolicLink(index, hostFile);
            Write(Path.Combine(package, "workloads", "api", "index.ts"), "two");
            var second = PackageSourceCopy.Sync(package, copy);

            Assert.AreEqual("host", File.ReadAllText(hostFile));
            Assert.IsNull(new FileInfo(index).LinkTarget);
            Assert.AreEqual("two", File.ReadAllText(index));
            CollectionAssert.AreEqual(new[] { index }, second.ReplacedLinks.ToArray());
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static void Write(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }
}
