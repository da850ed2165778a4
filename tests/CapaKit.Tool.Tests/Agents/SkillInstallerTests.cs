using System.Text.Json;
using CapaKit.Bundle;
using CapaKit.Tool.Agents;
using CapaKit.Tool.Runtime;
using CapaKit.Tool.Tests.Runtime;
using CapaKit.Tool.Tests.Support;

namespace CapaKit.Tool.Tests.Agents;

[TestClass]
public sealed class SkillInstallerTests
{
    private static readonly (string Path, Uri Url)[] Urls = [("/mcp", new Uri("http://127.0.0.1:24000/mcp"))];

    [TestMethod]
    [DataRow("claude", ".claude/skills")]
    [DataRow("codex", ".codex/skills")]
    public void InstallsTheGeneratedAndTheKitsSkillsThenRemovesExactlyThose(string agent, string folder)
    {
        var root = TempFolder();
        var bundleDirectory = TempFolder();
        var bundle = Bundle(bundleDirectory, "greet");
        var skills = Path.Combine(root, folder);
        var mine = Directory.CreateDirectory(Path.Combine(skills, "my-own")).FullName;
        File.WriteAllText(Path.Combine(mine, "SKILL.md"), "---\nname: my-own\ndescription: x\n---\n");

        var installed = SkillInstaller.Install(bundle, bundleDirectory, "/kits/hello/hello.kitproj", Urls, SkillDestination.Project(agent, root));

        CollectionAssert.AreEqual(new[] { Path.Combine(skills, "capakit-hello"), Path.Combine(skills, "greet") }, installed.ToArray());
        var generated = File.ReadAllText(Path.Combine(skills, "capakit-hello", "SKILL.md"));
        StringAssert.StartsWith(generated, "---\nname: capakit-hello\ndescription: ");
        StringAssert.Contains(generated, "`/mcp` → http://127.0.0.1:24000/mcp (mcp; workload `hello`)");
        StringAssert.Contains(generated, "`hello`: mcp at `/mcp`");
        StringAssert.Contains(generated, "dotnet capakit test /kits/hello/hello.kitproj");
        StringAssert.Contains(generated, "`greet`: Greets people.");
        Assert.AreEqual(File.ReadAllText(Path.Combine(bundleDirectory, "skills", "greet", "SKILL.md")), File.ReadAllText(Path.Combine(skills, "greet", "SKILL.md")));

        SkillInstaller.Remove(installed);
        CollectionAssert.AreEqual(new[] { mine }, Directory.GetDirectories(skills));
    }

    [TestMethod]
    public void AFolderTheUserMadeIsNeverOverwritten()
    {
        var root = TempFolder();
        var bundleDirectory = TempFolder();
        var bundle = Bundle(bundleDirectory, "greet");
        var theirs = Directory.CreateDirectory(Path.Combine(root, ".claude", "skills", "greet")).FullName;
        File.WriteAllText(Path.Combine(theirs, "SKILL.md"), "theirs");

        var error = Assert.ThrowsExactly<CapaKitException>(() => SkillInstaller.Install(bundle, bundleDirectory, "k.kitproj", Urls, SkillDestination.Project("claude", root)));
        StringAssert.StartsWith(error.Message, "CAPA0410:");
        Assert.AreEqual("theirs", File.ReadAllText(Path.Combine(theirs, "SKILL.md")));
        Assert.IsFalse(Directory.Exists(Path.Combine(root, ".claude", "skills", "capakit-hello")), "nothing is installed when one folder is in the way");

        // Remove only deletes folders carrying CapaKit's marker.
        SkillInstaller.Remove([theirs]);
        Assert.IsTrue(Directory.Exists(theirs));
    }

    [TestMethod]
    public void TheGeneratedSkillIsAValidSkill()
    {
        var bundle = Bundle(TempFolder());
        var text = SkillInstaller.Generated(bundle, "k.kitproj", Urls);
        // The same rules the compiler applies to a Kit's own skills.
        var diagnostics = new CapaKit.Tasks.Diagnostics.DiagnosticBag();
        var skill = CapaKit.Tasks.Skills.SkillsLoader.Load(text, "SKILL.md", "capakit-hello", diagnostics);
        Assert.IsFalse(diagnostics.HasErrors, string.Join("\n", diagnostics.Items));
        StringAssert.Contains(skill!.Description, "'hello'");
    }

    [TestMethod]
    public void UpDetachedInstallsProjectSkillsAndDownRemovesThem()
    {
        var kit = RuntimeKits.Sample("hello");
        var skill = Path.Combine(kit.Directory, "skills", "greet", "SKILL.md");
        Directory.CreateDirectory(Path.GetDirectoryName(skill)!);
        File.WriteAllText(skill, "---\nname: greet\ndescription: Greets people with the hello-world tool.\n---\nCall hello-world.\n");
        File.SetLastWriteTimeUtc(skill, DateTime.UtcNow.AddSeconds(2)); // newer than the build, so up rebuilds the bundle
        var root = TempFolder();
        var skills = Path.Combine(root, ".claude", "skills");
        var capakit = new Capakit(kit);
        try
        {
            var gateway = capakit.Up("--project-skill", "claude", "--project-root", root);
            var generated = File.ReadAllText(Path.Combine(skills, "capakit-hello", "SKILL.md"));
            StringAssert.Contains(generated, new Uri(gateway, "/mcp").ToString());
            StringAssert.Contains(File.ReadAllText(Path.Combine(skills, "greet", "SKILL.md")), "name: greet");
            var state = InstanceState.Read(RuntimeKits.Instance(kit).StateFile)!;
            CollectionAssert.AreEquivalent(new[] { Path.Combine(skills, "capakit-hello"), Path.Combine(skills, "greet") }, state.InstalledSkills);

            var down = capakit.Run("down");
            Assert.AreEqual(0, down.ExitCode, down.ToString());
            Assert.IsEmpty(Directory.GetDirectories(skills), "down leaves installed skills behind");
        }
        finally
        {
            capakit.Down();
        }
    }

    [TestMethod]
    [DataRow("claude", ".claude/skills")]
    [DataRow("codex", ".codex/skills")]
    public void TheGlobalDestinationIsTheAgentsUserSkillsFolderUnderHome(string agent, string folder)
    {
        var home = TempFolder();
        var destination = SkillDestination.Global(agent, home, _ => null);
        Assert.AreEqual(Path.Combine(home, folder), destination.Folder);

        var error = Assert.ThrowsExactly<CapaKitException>(() => SkillDestination.Global("cursor", home, _ => null));
        Assert.AreEqual("CAPA0411: Unknown agent 'cursor' for --global-skill; use one of claude, codex.", error.Message);
    }

    [TestMethod]
    [DataRow("claude", "CLAUDE_CONFIG_DIR")]
    [DataRow("codex", "CODEX_HOME")]
    public void TheGlobalDestinationFollowsTheAgentsOwnConfigFolderVariable(string agent, string variable)
    {
        var home = TempFolder();
        var moved = TempFolder();
        var environment = new Dictionary<string, string> { ["HOME"] = home, [variable] = moved };
        Assert.AreEqual(Path.Combine(moved, "skills"), SkillDestination.Global(agent, environment: environment.GetValueOrDefault).Folder);

        // A relative value is not a folder anyone can agree on: the agent's default under HOME stays.
        environment[variable] = "relative/dir";
        Assert.AreEqual(Path.Combine(home, "." + agent, "skills"), SkillDestination.Global(agent, environment: environment.GetValueOrDefault).Folder);
    }

    [TestMethod]
    public void UpDetachedInstallsGlobalSkillsUnderHomeAndDownRemovesThem()
    {
        var kit = RuntimeKits.Switchboard();
        using var home = new TempHome();
        var skills = Path.Combine(home.Path, ".codex", "skills");
        var mine = Directory.CreateDirectory(Path.Combine(skills, "my-own")).FullName;
        var capakit = new Capakit(kit, home.Path);
        try
        {
            var gateway = capakit.Up("--global-skill", "codex");
            var generated = File.ReadAllText(Path.Combine(skills, "capakit-switchboard", "SKILL.md"));
            StringAssert.Contains(generated, new Uri(gateway, "/alpha").ToString());
            StringAssert.Contains(generated, $"(named `<path>.<tool>`) → {new Uri(gateway, "/mcp/all")}");
            StringAssert.Contains(generated, $"routed by model) → {new Uri(gateway, "/v1")}");
            Assert.IsFalse(Directory.Exists(Path.Combine(kit.Directory, ".codex")), "--global-skill writes nothing into the project");
            var state = InstanceState.Read(RuntimeKits.Instance(kit).StateFile)!;
            CollectionAssert.AreEqual(new[] { Path.Combine(skills, "capakit-switchboard") }, state.InstalledSkills);

            var down = capakit.Run("down");
            Assert.AreEqual(0, down.ExitCode, down.ToString());
            CollectionAssert.AreEqual(new[] { mine }, Directory.GetDirectories(skills), "down removes exactly the skills up installed");
        }
        finally
        {
            capakit.Down();
        }
    }

    [TestMethod]
    public void ForegroundUpInstallsGlobalAndProjectSkillsAndRemovesThemOnCtrlC()
    {
        var kit = RuntimeKits.Switchboard();
        using var home = new TempHome();
        var project = TempFolder();
        var capakit = new Capakit(kit, home.Path);
        var globalSkill = Path.Combine(home.Path, ".claude", "skills", "capakit-switchboard");
        var projectSkill = Path.Combine(project, ".codex", "skills", "capakit-switchboard");
        try
        {
            using var up = capakit.Start("up", "--global-skill", "claude", "--project-skill", "codex", "--project-root", project);
            up.WaitForLine(l => l.Contains("is up", StringComparison.Ordinal), TimeSpan.FromSeconds(120));
            Assert.IsTrue(File.Exists(Path.Combine(globalSkill, "SKILL.md")), up.Output);
            Assert.IsTrue(File.Exists(Path.Combine(projectSkill, "SKILL.md")), up.Output);

            TestMachine.Run("/bin/kill", "-INT", up.Id.ToString());
            Assert.AreEqual(0, up.WaitForExit(TimeSpan.FromSeconds(60)), up.Output);
            Assert.IsFalse(Directory.Exists(globalSkill), "the global skill outlived up");
            Assert.IsFalse(Directory.Exists(projectSkill), "the project skill outlived up");
        }
        finally
        {
            capakit.Down();
        }
    }

    private static KitBundle Bundle(string bundleDirectory, params string[] skills)
    {
        foreach (var name in skills)
        {
            var file = Path.Combine(bundleDirectory, "skills", name, "SKILL.md");
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllText(file, $"---\nname: {name}\ndescription: Greets people.\n---\nBody.\n");
        }
        return new KitBundle
        {
            CompilerVersion = "0",
            Kit = new KitInfo { Name = "hello", Directory = "/kits/hello", ManifestFile = "/kits/hello/capability.yml" },
            Identity = new IdentityModel { TrustDomain = "hello.capakit.local", CaCertificate = "certs/ca.pem" },
            Workloads = new(StringComparer.Ordinal)
            {
                ["hello"] = new WorkloadModel
                {
                    Name = "hello", Root = "workloads/hello", Toolchain = "bun", Endpoints = [new EndpointModel { Protocol = "mcp", Path = "/mcp" }],
                    Identity = new WorkloadIdentityModel { SpiffeId = "spiffe://hello.capakit.local/hello", Certificate = "certs/hello.pem", Key = "certs/hello.key" },
                },
            },
            Expose = [new ExposeModel { Path = "/mcp", Target = "hello", Endpoints = ["mcp"], DefaultMcp = true }],
            Skills = [.. skills.Select(n => new SkillModel { Name = n, Description = "Greets people.", Path = $"skills/{n}/SKILL.md" })],
        };
    }

    /// <summary>A fresh folder under the test machine's temp root: never the real home or project.</summary>
    private static string TempFolder() => Directory.CreateDirectory(Path.Combine(TestMachine.Root, "skills-" + Guid.NewGuid().ToString("N")[..8])).FullName;
}
