using System.Text.Json;
using CapaKit.Tool.Tests.Support;

namespace CapaKit.Tool.Tests.Agents;

/// <summary>`agents-md print` and `agent init`, run as the real tool.</summary>
[TestClass]
public sealed class AgentsCommandTests
{
    private static string TempFolder() => Directory.CreateDirectory(Path.Combine(TestMachine.Root, "agent-" + Guid.NewGuid().ToString("N")[..8])).FullName;

    [TestMethod]
    public void AgentsMdPrintTellsAgentsToRunCommandsThroughCapaKit()
    {
        var result = ToolProcess.Run(RunAs.Root, TestMachine.Root, ["agents-md", "print"]);

        Assert.AreEqual(0, result.ExitCode, result.ToString());
        StringAssert.Contains(result.StandardOutput, "dotnet capakit exec");
        StringAssert.Contains(result.StandardOutput, "--phase prepare -- bun install");
        StringAssert.Contains(result.StandardOutput, "--format json");
    }

    [TestMethod]
    public void AgentInitWritesTheFourConfigurations()
    {
        var root = TempFolder();

        var result = ToolProcess.Run(RunAs.Root, TestMachine.Root, ["agent", "init", "--project-root", root]);

        Assert.AreEqual(0, result.ExitCode, result.ToString());
        foreach (var file in new[] { ".mcp.json", ".cursor/mcp.json", ".vscode/mcp.json", ".codex/config.toml" })
        {
            StringAssert.Contains(result.StandardOutput, Path.Combine(root, file), "init names what it wrote");
        }
        foreach (var file in new[] { ".mcp.json", ".cursor/mcp.json" })
        {
            var server = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, file))).RootElement.GetProperty("mcpServers").GetProperty("capakit");
            Assert.AreEqual("dotnet", server.GetProperty("command").GetString());
            CollectionAssert.AreEqual(new[] { "capakit", "mcp" }, server.GetProperty("args").EnumerateArray().Select(a => a.GetString()).ToArray());
        }
        var vscode = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, ".vscode/mcp.json"))).RootElement.GetProperty("servers").GetProperty("capakit");
        Assert.AreEqual("stdio", vscode.GetProperty("type").GetString());
        Assert.AreEqual("dotnet", vscode.GetProperty("command").GetString());
        Assert.AreEqual("[mcp_servers.capakit]\ncommand = \"dotnet\"\nargs = [\"capakit\", \"mcp\"]\n", File.ReadAllText(Path.Combine(root, ".codex/config.toml")));
    }

    [TestMethod]
    public void AgentInitMergesWithoutLosingOtherServersOrSettings()
    {
        var root = TempFolder();
        File.WriteAllText(Path.Combine(root, ".mcp.json"), """
            {
              // a comment the user wrote
              "mcpServers": {
                "other": { "command": "other-server", "args": ["--flag"] },
                "capakit": { "command": "old" }
              },
              "unrelated": true
            }
            """);
        Directory.CreateDirectory(Path.Combine(root, ".codex"));
        File.WriteAllText(Path.Combine(root, ".codex/config.toml"), "model = \"o3\"\n\n[mcp_servers.capakit]\ncommand = \"old\"\n\n[mcp_servers.other]\ncommand = \"other-server\"\n");

        var result = ToolProcess.Run(RunAs.Root, root, ["agent", "init", "--agent", "claude", "--agent", "codex"]);

        Assert.AreEqual(0, result.ExitCode, result.ToString());
        var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, ".mcp.json"))).RootElement;
        Assert.AreEqual("other-server", json.GetProperty("mcpServers").GetProperty("other").GetProperty("command").GetString());
        Assert.AreEqual("dotnet", json.GetProperty("mcpServers").GetProperty("capakit").GetProperty("command").GetString());
        Assert.IsTrue(json.GetProperty("unrelated").GetBoolean());
        Assert.AreEqual(
            "model = \"o3\"\n\n[mcp_servers.capakit]\ncommand = \"dotnet\"\nargs = [\"capakit\", \"mcp\"]\n\n[mcp_servers.other]\ncommand = \"other-server\"\n",
            File.ReadAllText(Path.Combine(root, ".codex/config.toml")));
        Assert.IsFalse(File.Exists(Path.Combine(root, ".vscode/mcp.json")), "--agent limits what is written");
    }
}
