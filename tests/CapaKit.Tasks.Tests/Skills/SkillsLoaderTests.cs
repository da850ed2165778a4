using CapaKit.Bundle;
using CapaKit.Tasks.Compilation;
using CapaKit.Tasks.Diagnostics;
using CapaKit.Tasks.Skills;
using CapaKit.Tasks.Tests.Support;

namespace CapaKit.Tasks.Tests.Skills;

[TestClass]
public sealed class SkillsLoaderTests
{
    private const string Valid = "---\nname: greet\ndescription: Greets people through the hello Kit.\n---\n# Greet\n\nCall the hello-world tool.\n";

    [TestMethod]
    public void AValidSkillLoads()
    {
        var diagnostics = new DiagnosticBag();
        var skill = SkillsLoader.Load(Valid, "SKILL.md", "greet", diagnostics);
        Assert.IsFalse(diagnostics.HasErrors, string.Join("\n", diagnostics.Items));
        Assert.AreEqual(("greet", "Greets people through the hello Kit.", "skills/greet/SKILL.md"), (skill!.Name, skill.Description, skill.Path));
    }

    [TestMethod]
    [DataRow("# no frontmatter\n", "greet", "CAPA0400", 1, DisplayName = "no frontmatter")]
    [DataRow("---\nname: greet\ndescription: x\n", "greet", "CAPA0400", 1, DisplayName = "frontmatter not closed")]
    [DataRow("---\nname: greet\ndescription: [x\n---\n", "greet", "CAPA0401", 4, DisplayName = "bad yaml")]
    [DataRow("---\n- a list\n---\n", "greet", "CAPA0401", 2, DisplayName = "not a mapping")]
    [DataRow("---\ndescription: x\n---\n", "greet", "CAPA0402", 2, DisplayName = "no name")]
    [DataRow("---\ndescription: x\nname: Greet_Me\n---\n", "Greet_Me", "CAPA0402", 3, DisplayName = "unsafe name")]
    [DataRow("---\ndescription: x\n\nname: other\n---\n", "greet", "CAPA0402", 4, DisplayName = "name differs from folder")]
    [DataRow("---\nname: greet\n---\n", "greet", "CAPA0403", 2, DisplayName = "no description")]
    [DataRow("---\nname: greet\ndescription: ''\n---\n", "greet", "CAPA0403", 3, DisplayName = "empty description")]
    public void RefusesBrokenSkillsWithTheirLine(string text, string folder, string code, int line)
    {
        var diagnostics = new DiagnosticBag();
        Assert.IsNull(SkillsLoader.Load(text, "skills/x/SKILL.md", folder, diagnostics));
        var error = diagnostics.Items.FirstOrDefault(d => d.IsError);
        Assert.IsNotNull(error, "expected an error");
        Assert.AreEqual(code, error.Code, error.ToString());
        Assert.AreEqual(line, error.Line, error.ToString());
        Assert.AreEqual("skills/x/SKILL.md", error.File);
    }

    [TestMethod]
    public void ATooLongNameOrDescriptionIsRefused()
    {
        var diagnostics = new DiagnosticBag();
        var name = new string('a', 65);
        SkillsLoader.Load($"---\nname: {name}\ndescription: x\n---\n", "SKILL.md", name, diagnostics);
        SkillsLoader.Load($"---\nname: greet\ndescription: {new string('d', 1025)}\n---\n", "SKILL.md", "greet", diagnostics);
        CollectionAssert.AreEqual(new[] { ("CAPA0402", 2), ("CAPA0403", 3) }, diagnostics.Items.Select(d => (d.Code, d.Line)).ToArray());
    }

    [TestMethod]
    public void TheCompilerCopiesSkillsIntoTheBundleAndListsThem()
    {
        var kit = CopyHello();
        WriteSkill(kit, "greet", Valid);
        var bundleDirectory = Path.Combine(kit, "bin", "kit");
        var result = Compile(kit, bundleDirectory);

        CollectionAssert.AreEqual(new[] { "greet" }, result.Bundle!.Skills.Select(s => s.Name).ToArray());
        var copy = Path.Combine(bundleDirectory, "skills", "greet", "SKILL.md");
        Assert.AreEqual(Valid, File.ReadAllText(copy));
        StringAssert.Contains(File.ReadAllText(Path.Combine(bundleDirectory, "kit.json")), "\"path\": \"skills/greet/SKILL.md\"");

        // Unchanged skills keep their timestamp; a removed skill leaves the bundle.
        var stamp = File.GetLastWriteTimeUtc(copy);
        Assert.DoesNotContain(copy, Compile(kit, bundleDirectory).Written);
        Assert.AreEqual(stamp, File.GetLastWriteTimeUtc(copy));
        Directory.Delete(Path.Combine(kit, "skills", "greet"), recursive: true);
        Assert.IsEmpty(Compile(kit, bundleDirectory).Bundle!.Skills);
        Assert.IsFalse(Directory.Exists(Path.Combine(bundleDirectory, "skills", "greet")));
    }

    [TestMethod]
    public void ABrokenSkillFailsTheCompileWithItsFile()
    {
        var kit = CopyHello();
        var file = WriteSkill(kit, "greet", "---\nname: greet\n---\n");
        var diagnostics = new DiagnosticBag();
        var result = KitCompiler.Compile(Path.Combine(kit, "capability.yml"), Path.Combine(kit, "bin", "kit"), "0", null, diagnostics, DateTimeOffset.UtcNow);
        Assert.IsNull(result.Bundle);
        var error = diagnostics.Items.Single(d => d.IsError);
        Assert.AreEqual(("CAPA0403", file, 2), (error.Code, error.File, error.Line));
    }

    private static CompileResult Compile(string kit, string bundleDirectory)
    {
        var diagnostics = new DiagnosticBag();
        var result = KitCompiler.Compile(Path.Combine(kit, "capability.yml"), bundleDirectory, "0", null, diagnostics, DateTimeOffset.UtcNow);
        Assert.IsFalse(diagnostics.HasErrors, string.Join("\n", diagnostics.Items));
        return result;
    }

    private static string WriteSkill(string kit, string name, string text)
    {
        var file = Path.Combine(kit, "skills", name, "SKILL.md");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, text);
        return file;
    }

    /// <summary>A temp copy of the hello sample's manifest and workload folders (no node_modules needed to compile).</summary>
    private static string CopyHello()
    {
        var source = RepoPaths.Combine("samples", "hello");
        var target = Path.Combine(Path.GetTempPath(), "capakit-skills-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(target);
        File.Copy(Path.Combine(source, "capability.yml"), Path.Combine(target, "capability.yml"));
        foreach (var workload in Directory.EnumerateDirectories(Path.Combine(source, "workloads")))
        {
            Directory.CreateDirectory(Path.Combine(target, "workloads", Path.GetFileName(workload)));
        }
        return target;
    }
}
