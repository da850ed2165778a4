using System.Text.Json;
using CapaKit.Tool.Tests.Runtime;
using CapaKit.Tool.Tests.Support;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace CapaKit.Tool.Tests.Agents;

/// <summary>`dotnet capakit mcp` driven by the real C# MCP client over stdio, in a built copy of samples/hello.</summary>
[TestClass]
public sealed class McpServerTests
{
    private static readonly string[] ExpectedTools = ["kits_list", "exec", "up", "down", "ps", "logs", "test"];

    public TestContext TestContext { get; set; } = null!;

    private static async Task<McpClient> StartAsync(string workingDirectory, CancellationToken ct)
    {
        var dotnet = Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "/usr/bin/dotnet";
        var transport = new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = "capakit",
            Command = dotnet,
            Arguments = [ToolProcess.ToolDll, "mcp"],
            WorkingDirectory = workingDirectory,
            EnvironmentVariables = new Dictionary<string, string?>
            {
                ["CAPAKIT_BUN"] = TestMachine.Bun,
                ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
                ["DOTNET_NOLOGO"] = "1",
                ["MSBUILDDISABLENODEREUSE"] = "1",
            },
        });
        return await McpClient.CreateAsync(transport, cancellationToken: ct);
    }

    private static string Text(CallToolResult result) => string.Concat(result.Content.OfType<TextContentBlock>().Select(c => c.Text));

    [TestMethod]
    [Timeout(300_000, CooperativeCancellation = true)]
    public async Task ListsToolsAndRunsInstallAndTestsInTheSandbox()
    {
        var ct = TestContext.CancellationToken;
        var kit = RuntimeKits.Sample("hello");
        await using var client = await StartAsync(kit.Directory, ct);

        var tools = await client.ListToolsAsync(cancellationToken: ct);
        CollectionAssert.IsSubsetOf(ExpectedTools, tools.Select(t => t.Name).ToList());
        foreach (var tool in tools)
        {
            Assert.IsFalse(string.IsNullOrWhiteSpace(tool.Description), $"{tool.Name} has a description");
        }

        var list = await client.CallToolAsync("kits_list", new Dictionary<string, object?>(), cancellationToken: ct);
        Assert.IsFalse(list.IsError ?? false, Text(list));
        using (var doc = JsonDocument.Parse(Text(list)))
        {
            Assert.AreEqual("hello", doc.RootElement.GetProperty("kit").GetProperty("name").GetString());
            Assert.AreEqual("hello", doc.RootElement.GetProperty("kit").GetProperty("workloads")[0].GetProperty("name").GetString());
        }

        var install = await client.CallToolAsync("exec", new Dictionary<string, object?>
        {
            ["workload"] = "hello",
            ["phase"] = "prepare",
            ["command"] = new[] { "bun", "install", "--frozen-lockfile" },
        }, cancellationToken: ct);
        Assert.IsFalse(install.IsError ?? false, Text(install));
        using (var doc = JsonDocument.Parse(Text(install)))
        {
            Assert.AreEqual(0, doc.RootElement.GetProperty("exitCode").GetInt32(), Text(install));
        }

        var test = await client.CallToolAsync("exec", new Dictionary<string, object?>
        {
            ["workload"] = "hello",
            ["command"] = new[] { "bun", "test" },
        }, cancellationToken: ct);
        Assert.IsFalse(test.IsError ?? false, Text(test));
        using (var doc = JsonDocument.Parse(Text(test)))
        {
            var root = doc.RootElement;
            Assert.AreEqual(0, root.GetProperty("exitCode").GetInt32(), Text(test));
            Assert.IsFalse(root.GetProperty("timedOut").GetBoolean());
            // bun test reports on stderr; either tail may hold the summary.
            var tails = root.GetProperty("stdoutTail").GetString() + root.GetProperty("stderrTail").GetString();
            StringAssert.Contains(tails, "pass", Text(test));
        }
        Assert.IsNotNull(test.StructuredContent, "exec returns structured content too");
    }

    [TestMethod]
    [Timeout(180_000, CooperativeCancellation = true)]
    public async Task ExecOnAnUnknownWorkloadIsAToolErrorWithCapaKitsMessage()
    {
        var ct = TestContext.CancellationToken;
        var kit = RuntimeKits.Sample("hello");
        await using var client = await StartAsync(kit.Directory, ct);

        var result = await client.CallToolAsync("exec", new Dictionary<string, object?>
        {
            ["workload"] = "nope",
            ["command"] = new[] { "bun", "test" },
        }, cancellationToken: ct);

        Assert.IsTrue(result.IsError ?? false, Text(result));
        StringAssert.Contains(Text(result), "The Kit has no workload 'nope'; its workloads are hello.");
    }

    [TestMethod]
    [Timeout(300_000, CooperativeCancellation = true)]
    public async Task UpPsLogsTestAndDownManageTheKit()
    {
        var ct = TestContext.CancellationToken;
        var kit = RuntimeKits.Sample("hello");
        var capakit = new Capakit(kit);
        await using var client = await StartAsync(kit.Directory, ct);
        try
        {
            var up = await client.CallToolAsync("up", new Dictionary<string, object?>(), cancellationToken: ct);
            Assert.IsFalse(up.IsError ?? false, Text(up));
            using (var doc = JsonDocument.Parse(Text(up)))
            {
                Assert.AreEqual("ready", doc.RootElement.GetProperty("status").GetString(), Text(up));
            }

            var ps = await client.CallToolAsync("ps", new Dictionary<string, object?>(), cancellationToken: ct);
            Assert.IsFalse(ps.IsError ?? false, Text(ps));
            StringAssert.Contains(Text(ps), "\"hello\"");

            var list = await client.CallToolAsync("kits_list", new Dictionary<string, object?>(), cancellationToken: ct);
            Assert.IsTrue(JsonDocument.Parse(Text(list)).RootElement.GetProperty("running").GetArrayLength() >= 1, Text(list));

            var logs = await client.CallToolAsync("logs", new Dictionary<string, object?> { ["workload"] = "hello", ["lines"] = 50 }, cancellationToken: ct);
            Assert.IsFalse(logs.IsError ?? false, Text(logs));

            var test = await client.CallToolAsync("test", new Dictionary<string, object?>(), cancellationToken: ct);
            Assert.IsFalse(test.IsError ?? false, Text(test));
            using (var doc = JsonDocument.Parse(Text(test)))
            {
                Assert.AreEqual(0, doc.RootElement.GetProperty("failed").GetInt32(), Text(test));
            }

            var down = await client.CallToolAsync("down", new Dictionary<string, object?>(), cancellationToken: ct);
            Assert.IsFalse(down.IsError ?? false, Text(down));
        }
        finally
        {
            capakit.Down();
        }
    }
}
