using CapaKit.Bundle.Packages;
using CapaKit.Tool.Tests.Support;

namespace CapaKit.Tool.Tests.Packages;

/// <summary>Copying package files into folders a workload could have written: links and FIFOs planted there are replaced, never followed.</summary>
[TestClass]
public sealed class LinkSafeTreeTests
{
    private string _root = "";
    private string _host = "";
    private string _source = "";

    [TestInitialize]
    public void CreateFolders()
    {
        var folder = Path.Combine(TestMachine.Root, "linksafe-" + Guid.NewGuid().ToString("N")[..8]);
        _root = Directory.CreateDirectory(Path.Combine(folder, "copy")).FullName;
        _host = Directory.CreateDirectory(Path.Combine(folder, "host")).FullName;
        _source = Path.Combine(folder, "source.ts");
        File.WriteAllText(_source, "package content\n");
        File.WriteAllText(Path.Combine(_host, "secret"), "host\n");
    }

    [TestMethod]
    public void AFileReplacedByALinkIsReplacedAndTheHostFileKept()
    {
        Directory.CreateDirectory(Path.Combine(_root, "web"));
        File.CreateSymbolicLink(Path.Combine(_root, "web", "index.ts"), Path.Combine(_host, "secret"));

        Assert.AreEqual(LinkSafeWrite.ReplacedLink, LinkSafeTree.WriteFile(_root, "web/index.ts", _source, skipWhenSame: true));

        Assert.AreEqual("host\n", File.ReadAllText(Path.Combine(_host, "secret")));
        Assert.IsNull(new FileInfo(Path.Combine(_root, "web", "index.ts")).LinkTarget);
        Assert.AreEqual("package content\n", File.ReadAllText(Path.Combine(_root, "web", "index.ts")));
        Assert.AreEqual(LinkSafeWrite.Unchanged, LinkSafeTree.WriteFile(_root, "web/index.ts", _source, skipWhenSame: true));
    }

    [TestMethod]
    public void AFolderReplacedByALinkIsNotWrittenOrDeletedThrough()
    {
        Directory.CreateDirectory(Path.Combine(_root, "web"));
        Directory.CreateSymbolicLink(Path.Combine(_root, "web", "src"), _host);

        Assert.IsFalse(LinkSafeTree.DeleteFile(_root, "web/src/secret"), "a delete went through the link");
        Assert.IsTrue(File.Exists(Path.Combine(_host, "secret")));

        Assert.AreEqual(LinkSafeWrite.ReplacedLink, LinkSafeTree.WriteFile(_root, "web/src/secret", _source));
        Assert.AreEqual("host\n", File.ReadAllText(Path.Combine(_host, "secret")));
        Assert.IsNull(new DirectoryInfo(Path.Combine(_root, "web", "src")).LinkTarget, "the linked folder is still a link");
        Assert.AreEqual("package content\n", File.ReadAllText(Path.Combine(_root, "web", "src", "secret")));
        Assert.IsTrue(LinkSafeTree.DeleteFile(_root, "web/src/secret"));
    }

    [TestMethod]
    public void AFifoInPlaceOfAFileIsReplacedWithoutBlocking()
    {
        Directory.CreateDirectory(Path.Combine(_root, "web"));
        TestMachine.Run("/usr/bin/mkfifo", Path.Combine(_root, "web", "index.ts"));

        Assert.AreEqual(LinkSafeWrite.ReplacedLink, LinkSafeTree.WriteFile(_root, "web/index.ts", _source, skipWhenSame: true));
        Assert.AreEqual("package content\n", File.ReadAllText(Path.Combine(_root, "web", "index.ts")));
    }

    [TestMethod]
    public void AFolderWithFilesWhereTheFileGoesIsRefusedAndKept()
    {
        Directory.CreateDirectory(Path.Combine(_root, "web", "index.ts"));
        File.WriteAllText(Path.Combine(_root, "web", "index.ts", "inside"), "kept\n");

        var refused = Assert.ThrowsExactly<IOException>(() => LinkSafeTree.WriteFile(_root, "web/index.ts", _source));
        StringAssert.Contains(refused.Message, "is a folder holding files");
        Assert.AreEqual("kept\n", File.ReadAllText(Path.Combine(_root, "web", "index.ts", "inside")));
    }

    [TestMethod]
    [DataRow("capability.yml", true)]
    [DataRow("capability-test.yml", true)]
    [DataRow("imports.json", true)]
    [DataRow("README.md", true)]
    [DataRow("skills/review/SKILL.md", true)]
    [DataRow("workloads/web/src/index.ts", true)]
    [DataRow("workloads/bin/index.ts", true)]
    [DataRow("workloads/web/.npmrc", true)]
    [DataRow("Directory.Build.props", false)]
    [DataRow("Directory.Build.rsp", false)]
    [DataRow("Shop.Kit.kitproj", false)]
    [DataRow("Shop.Kit.kitproj.user", false)]
    [DataRow("global.json", false)]
    [DataRow("NuGet.Config", false)]
    [DataRow("obj/project.assets.json", false)]
    [DataRow("bin/Debug/kit/kit.json", false)]
    [DataRow("workloads/web/Directory.Build.targets", false)]
    [DataRow("workloads/web/Directory.Packages.props", false)]
    [DataRow("workloads/web/x.props", false)]
    [DataRow("workloads/web/x.targets", false)]
    [DataRow("workloads/web/x.rsp", false)]
    [DataRow("workloads/web/app.csproj.user", false)]
    [DataRow("workloads/web/nuget.config", false)]
    [DataRow("workloads/web/global.json", false)]
    [DataRow("workloads/web/obj/x.txt", false)]
    [DataRow("workloads/web/bin/cli.js", false)]
    [DataRow("skills/review/obj/x.md", false)]
    [DataRow("workloads/../capability.yml", false)]
    public void OnlyKitFilesAreKitFiles(string path, bool isKitFile) =>
        Assert.AreEqual(isKitFile, KitPackageFiles.IsKitFile(path), path);
}
