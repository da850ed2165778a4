using CapaKit.Tool.Packages;
using NuGet.Versioning;

namespace CapaKit.Tool.Tests.Packages;

/// <summary>How `up` tells a package from a path, which version it picks, and the project it generates.</summary>
[TestClass]
public sealed class KitPackageSpecTests
{
    [TestMethod]
    public void AnExistingFileOrFolderWinsOverAPackageId()
    {
        var folder = Directory.CreateTempSubdirectory("capakit-spec-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(folder, "Greeter.Kit"));
            Assert.IsNull(KitPackageSpec.TryParse("Greeter.Kit", folder));
            Assert.IsNull(KitPackageSpec.TryParse("./Other.Kit", folder), "a path stays a path even when missing");
            Assert.IsNull(KitPackageSpec.TryParse("other.kitproj", folder));
            Assert.IsNull(KitPackageSpec.TryParse(null, folder));

            Assert.AreEqual(new KitPackageSpec("Other.Kit", null), KitPackageSpec.TryParse("Other.Kit", folder));
            Assert.AreEqual(new KitPackageSpec("Other.Kit", NuGetVersion.Parse("1.2.0-beta.1")), KitPackageSpec.TryParse("Other.Kit@1.2.0-beta.1", folder));
            var bad = Assert.ThrowsExactly<CapaKitException>(() => KitPackageSpec.TryParse("Other.Kit@latest", folder));
            Assert.AreEqual(ExitCodes.Usage, bad.ExitCode);
            StringAssert.Contains(bad.Message, "is not a NuGet version");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void TheNewestIsTheHighestStableElseTheHighestPrerelease()
    {
        var versions = new[] { "1.0.0", "1.2.0", "2.0.0-beta.1" }.Select(NuGetVersion.Parse).ToList();
        Assert.AreEqual("1.2.0", KitPackageResolver.Newest(versions).ToNormalizedString());
        Assert.AreEqual("2.0.0-rc.1", KitPackageResolver.Newest(new[] { "2.0.0-beta.1", "2.0.0-rc.1" }.Select(NuGetVersion.Parse)).ToNormalizedString());
        CollectionAssert.AreEqual(new[] { "1.0.0", "1.2.0", "2.0.0-beta.1" },
            KitPackageResolver.Nearest(versions, NuGetVersion.Parse("1.1.0")).Select(v => v.ToNormalizedString()).ToArray());
        CollectionAssert.AreEqual(new[] { "1.2.0", "2.0.0-beta.1" },
            KitPackageResolver.Nearest(versions, NuGetVersion.Parse("3.0.0")).Select(v => v.ToNormalizedString()).ToArray());
    }

    [TestMethod]
    public void TheGeneratedProjectReferencesTheKitsImportsOnTheToolsSdk()
    {
        var package = new ResolvedKitPackage("Shop.Kit", NuGetVersion.Parse("1.0.0"), "/nowhere", "hash",
            [new KitPackageImport("Payments.Kit", VersionRange.Parse("2.1.0")), new KitPackageImport("Auth.Kit", VersionRange.Parse("[1.0.0, 2.0.0)"))]);
        var project = System.Xml.Linq.XElement.Parse(KitPackageWorkspace.ProjectXml(package, "0.1.0"));
        Assert.AreEqual("CapaKit.Sdk/0.1.0", project.Attribute("Sdk")?.Value);
        var references = project.Descendants("PackageReference").Select(r => $"{r.Attribute("Include")?.Value} {r.Attribute("Version")?.Value}").ToList();
        CollectionAssert.AreEqual(new[] { "Payments.Kit 2.1.0", "Auth.Kit [1.0.0, 2.0.0)" }, references);
        Assert.IsTrue(project.Descendants("PackageReference").All(r => r.Attribute("ExcludeAssets")?.Value == "build;buildTransitive;analyzers"),
            "an imported Kit package brings no MSBuild logic or analyzers into the build");
        Assert.AreEqual("capakit-package-shop.kit", project.Descendants("UserSecretsId").Single().Value);
    }
}
