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

    [TestMethod]
    public void AgentInitHttpWritesTheUrlAndTheTokenHeaderIntoEveryConfigurationReadableByItsOwnerOnly()
    {
        var root = TempFolder();
        var state = TempFolder();
        File.WriteAllText(Path.Combine(root, ".mcp.json"), "{ \"mcpServers\": { \"other\": { \"command\": \"x\" } } }\n");
        File.SetUnixFileMode(Path.Combine(root, ".mcp.json"), (UnixFileMode)0b110_100_100);
        var environment = new Dictionary<string, string> { ["XDG_STATE_HOME"] = state };

        var result = ToolProcess.Run(RunAs.Root, root, ["agent", "init", "--http", "--port", "4567"], environment);

        Assert.AreEqual(0, result.ExitCode, result.ToString());
        var tokenFile = Directory.GetFiles(Path.Combine(state, "capakit", "mcp-http"), "*.token").Single();
        var header = "Bearer " + File.ReadAllText(tokenFile).Trim();
        StringAssert.Contains(result.StandardError, "keep them out of version control");
        StringAssert.Contains(result.StandardError, "dotnet capakit mcp --http --port 4567");
        const string url = "http://127.0.0.1:4567/mcp";
        var claude = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, ".mcp.json"))).RootElement.GetProperty("mcpServers");
        Assert.AreEqual("x", claude.GetProperty("other").GetProperty("command").GetString(), "other servers stay");
        Assert.AreEqual("http", claude.GetProperty("capakit").GetProperty("type").GetString());
        Assert.AreEqual(url, claude.GetProperty("capakit").GetProperty("url").GetString());
        Assert.AreEqual(header, claude.GetProperty("capakit").GetProperty("headers").GetProperty("Authorization").GetString());
        var cursor = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, ".cursor/mcp.json"))).RootElement.GetProperty("mcpServers").GetProperty("capakit");
        Assert.AreEqual(url, cursor.GetProperty("url").GetString());
        Assert.AreEqual(header, cursor.GetProperty("headers").GetProperty("Authorization").GetString());
        var vscode = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, ".vscode/mcp.json"))).RootElement.GetProperty("servers").GetProperty("capakit");
        Assert.AreEqual("http", vscode.GetProperty("type").GetString());
        Assert.AreEqual(url, vscode.GetProperty("url").GetString());
        Assert.AreEqual(header, vscode.GetProperty("headers").GetProperty("Authorization").GetString());
        Assert.AreEqual($"[mcp_servers.capakit]\nurl = \"{url}\"\nhttp_headers = {{ \"Authorization\" = \"{header}\" }}\n",
            File.ReadAllText(Path.Combine(root, ".codex/config.toml")));
        foreach (var file in new[] { ".mcp.json", ".cursor/mcp.json", ".vscode/mcp.json", ".codex/config.toml" })
        {
            Assert.AreEqual(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(root, file)), $"{file} holds the token but others may read it");
        }

        // Again: the same token (the server started here will use it too), and a port is required.
        Assert.AreEqual(0, ToolProcess.Run(RunAs.Root, root, ["agent", "init", "--http", "--port", "4567", "--agent", "claude"], environment).ExitCode);
        Assert.AreEqual(header, JsonDocument.Parse(File.ReadAllText(Path.Combine(root, ".mcp.json"))).RootElement
            .GetProperty("mcpServers").GetProperty("capakit").GetProperty("headers").GetProperty("Authorization").GetString());
        var noPort = ToolProcess.Run(RunAs.Root, root, ["agent", "init", "--http"], environment);
        Assert.AreEqual(2, noPort.ExitCode, noPort.ToString());
        StringAssert.Contains(noPort.StandardError, "CAPA0533: agent init --http needs --port N");
    }
}
