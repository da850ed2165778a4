using System.Text;
using System.Text.RegularExpressions;
using CapaKit.Tool.Secrets;

namespace CapaKit.Tool.Tests.Secrets;

/// <summary>Adding a UserSecretsId to a .kitproj keeps the rest of the file as it was.</summary>
[TestClass]
public sealed partial class UserSecretsIdWriterTests
{
    [GeneratedRegex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")]
    private static partial Regex Guid();

    private static (string Id, string Text) Apply(string original, bool bom = false)
    {
        using var folder = new TempFolder();
        var project = folder.File("demo.kitproj");
        File.WriteAllBytes(project, [.. (bom ? new byte[] { 0xEF, 0xBB, 0xBF } : []), .. Encoding.UTF8.GetBytes(original)]);
        var id = UserSecretsIdWriter.Ensure(project, out var added);
        Assert.IsTrue(added);
        StringAssert.Matches(id, Guid());
        var bytes = File.ReadAllBytes(project);
        Assert.AreEqual(bom, bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]), "the byte-order mark is kept as it was");
        return (id, Encoding.UTF8.GetString(bom ? bytes[3..] : bytes));
    }

    [TestMethod]
    public void SelfClosingProjectOpensUpAroundANewPropertyGroup()
    {
        var (id, text) = Apply("<Project Sdk=\"CapaKit.Sdk/0.1.0\" />\n");
        Assert.AreEqual($"<Project Sdk=\"CapaKit.Sdk/0.1.0\">\n  <PropertyGroup>\n    <UserSecretsId>{id}</UserSecretsId>\n  </PropertyGroup>\n</Project>\n", text);
    }

    [TestMethod]
    public void GoesIntoTheFirstUnconditionalPropertyGroupWithItsIndentationAndLineEndings()
    {
        const string original =
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n" +
            "<!-- The demo Kit. -->\r\n" +
            "<Project Sdk=\"CapaKit.Sdk/0.1.0\">\r\n" +
            "    <PropertyGroup Condition=\"'$(Configuration)' == 'Release'\">\r\n" +
            "        <Optimize>true</Optimize>\r\n" +
            "    </PropertyGroup>\r\n" +
            "    <PropertyGroup>\r\n" +
            "        <!-- keep me -->\r\n" +
            "        <Description>Demo &amp; more</Description>\r\n" +
            "        <Empty></Empty>\r\n" +
            "    </PropertyGroup>\r\n" +
            "</Project>\r\n";
        var (id, text) = Apply(original, bom: true);
        var expected = original.Replace(
            "<Empty></Empty>\r\n",
            $"<Empty></Empty>\r\n        <UserSecretsId>{id}</UserSecretsId>\r\n", StringComparison.Ordinal);
        Assert.AreEqual(expected, text);
    }

    [TestMethod]
    public void WithoutAPropertyGroupOneIsAddedBeforeTheFirstElement()
    {
        const string original = "<Project Sdk=\"CapaKit.Sdk/0.1.0\">\n\t<ItemGroup>\n\t\t<None Include=\"x\" />\n\t</ItemGroup>\n</Project>";
        var (id, text) = Apply(original);
        Assert.AreEqual(
            $"<Project Sdk=\"CapaKit.Sdk/0.1.0\">\n\t<PropertyGroup>\n\t\t<UserSecretsId>{id}</UserSecretsId>\n\t</PropertyGroup>\n\t<ItemGroup>\n\t\t<None Include=\"x\" />\n\t</ItemGroup>\n</Project>",
            text);
    }

    [TestMethod]
    public void EmptyProjectAndEmptyGroupGetTheDefaultIndentation()
    {
        var (id, text) = Apply("<Project Sdk=\"CapaKit.Sdk/0.1.0\">\n</Project>\n");
        Assert.AreEqual($"<Project Sdk=\"CapaKit.Sdk/0.1.0\">\n  <PropertyGroup>\n    <UserSecretsId>{id}</UserSecretsId>\n  </PropertyGroup>\n</Project>\n", text);

        (id, text) = Apply("<Project Sdk=\"CapaKit.Sdk/0.1.0\">\n  <PropertyGroup />\n</Project>\n");
        Assert.AreEqual($"<Project Sdk=\"CapaKit.Sdk/0.1.0\">\n  <PropertyGroup>\n    <UserSecretsId>{id}</UserSecretsId>\n  </PropertyGroup>\n</Project>\n", text);
    }

    [TestMethod]
    public void AnExistingIdIsKeptAndTheFileUntouched()
    {
        using var folder = new TempFolder();
        var project = folder.File("demo.kitproj");
        const string original = "<Project Sdk=\"CapaKit.Sdk/0.1.0\">\n  <PropertyGroup>\n    <UserSecretsId> kept-id </UserSecretsId>\n  </PropertyGroup>\n</Project>\n";
        File.WriteAllText(project, original);
        Assert.AreEqual("kept-id", UserSecretsIdWriter.Ensure(project, out var added));
        Assert.IsFalse(added);
        Assert.AreEqual(original, File.ReadAllText(project));
    }

    [TestMethod]
    public void NotAProjectIsOneClearError()
    {
        using var folder = new TempFolder();
        var project = folder.File("demo.kitproj");
        File.WriteAllText(project, "<Project><broken></Project>");
        StringAssert.Contains(Assert.ThrowsExactly<CapaKitException>(() => UserSecretsIdWriter.Ensure(project, out _)).Message, "not valid XML");
        File.WriteAllText(project, "<Other />");
        StringAssert.Contains(Assert.ThrowsExactly<CapaKitException>(() => UserSecretsIdWriter.Ensure(project, out _)).Message, "not an MSBuild project");
    }
}
