using System.Xml.Linq;
using CapaKit.Tool.Tests.Support;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace CapaKit.Tool.Tests.Runtime;

/// <summary>samples/hello run as a whole Kit: up -d, ps, an MCP tool call through the gateway, logs, down; and `dotnet capakit test`.</summary>
[TestClass]
public sealed class HelloKitTests
{
    [TestMethod]
    public async Task UpServesTheMcpToolThroughTheGatewayAndDownLeavesNothingRunning()
    {
        var kit = RuntimeKits.Sample("hello");
        var capakit = new Capakit(kit);
        try
        {
            // Never started yet: down has nothing to stop and says so.
            var idle = capakit.Run("down");
            Assert.AreEqual(0, idle.ExitCode, idle.ToString());
            StringAssert.Contains(idle.StandardError, "is not running");

            var gateway = capakit.Up();

            var entry = capakit.PsByGateway(gateway);
            Assert.AreEqual("hello", entry.GetProperty("kit").GetString());
            Assert.AreEqual("ready", entry.GetProperty("status").GetString(), entry.ToString());
            var hello = entry.GetProperty("workloads").GetProperty("hello");
            Assert.AreEqual("ready", hello.GetProperty("status").GetString(), entry.ToString());
            var supervisorPid = entry.GetProperty("pid").GetInt32();

            // tools/call through the gateway's /mcp with the MCP C# client.
            await using (var transport = new HttpClientTransport(new HttpClientTransportOptions { Endpoint = new Uri(gateway, "/mcp"), Name = "runtime-test" }))
            await using (var client = await McpClient.CreateAsync(transport))
            {
                var tools = await client.ListToolsAsync();
                Assert.Contains("hello-world", tools.Select(t => t.Name).ToList());
                var result = await client.CallToolAsync("hello-world", new Dictionary<string, object?>());
                Assert.AreNotEqual(true, result.IsError);
                Assert.AreEqual("hello world", string.Concat(result.Content.OfType<TextContentBlock>().Select(t => t.Text)));
            }

            // `logs hello` prints the workload's own lines, not only the supervisor's.
            var logs = capakit.Run("logs", "hello");
            Assert.AreEqual(0, logs.ExitCode, logs.ToString());
            StringAssert.Contains(logs.StandardOutput, "[hello] MCP server listening on unix:");
            StringAssert.Contains(logs.StandardOutput, "ready");

            var again = capakit.Run("up", "-d");
            Assert.AreEqual(2, again.ExitCode, again.ToString());
            StringAssert.Contains(again.StandardError, "already running");

            var down = capakit.Run("down");
            Assert.AreEqual(0, down.ExitCode, down.ToString());
            var left = HostProcessTable.WaitUntilKitGone(kit, TimeSpan.FromSeconds(15));
            Assert.IsEmpty(left, "processes of the Kit left after down:\n" + string.Join("\n", left));

            Assert.IsNull(capakit.Ps(supervisorPid), "ps still lists the Kit after down");
            var ps = capakit.Run("ps");
            Assert.AreEqual(0, ps.ExitCode, ps.ToString());
            Assert.DoesNotContain(gateway.ToString(), ps.All);
            Assert.DoesNotContain($"supervisor pid {supervisorPid})", ps.All);
        }
        finally
        {
            capakit.Down();
        }
        Assert.IsEmpty(HostProcessTable.OfKit(kit));
    }

    [TestMethod]
    public void TestCommandRunsTheKitsOwnTestsAndWritesTrx()
    {
        var kit = RuntimeKits.Sample("hello");
        var capakit = new Capakit(kit);
        try
        {
            // Not running: `test` brings the Kit up for the tests and stops it again.
            var test = capakit.Run("test", kit.ProjectFile);
            Assert.AreEqual(0, test.ExitCode, test.ToString());
            StringAssert.Contains(test.All, "2 passed, 0 failed");

            var trx = XDocument.Load(Path.Combine(kit.Directory, "TestResults", "capakit-hello.trx"));
            var counters = trx.Descendants().Single(e => e.Name.LocalName == "Counters");
            Assert.AreEqual("2", counters.Attribute("total")?.Value, counters.ToString());
            Assert.AreEqual("2", counters.Attribute("passed")?.Value, counters.ToString());
            Assert.AreEqual("0", counters.Attribute("failed")?.Value, counters.ToString());

            var left = HostProcessTable.WaitUntilKitGone(kit, TimeSpan.FromSeconds(15));
            Assert.IsEmpty(left, "processes of the Kit left after test:\n" + string.Join("\n", left));
        }
        finally
        {
            capakit.Down();
        }
    }
}
