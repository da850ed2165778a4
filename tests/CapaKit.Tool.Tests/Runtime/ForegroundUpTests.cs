using System.Diagnostics;
using CapaKit.Tool.Tests.Support;

namespace CapaKit.Tool.Tests.Runtime;

/// <summary>`up` in the foreground: serves until Ctrl-C, then stops every workload and exits 0.</summary>
[TestClass]
public sealed class ForegroundUpTests
{
    [TestMethod]
    public void CtrlCStopsTheKitAndLeavesNothingRunning()
    {
        var kit = RuntimeKits.Sample("hello");
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { ToolProcess.ToolDll, "up", kit.ProjectFile })
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["CAPAKIT_BUN"] = TestMachine.Bun;
        using var up = Process.Start(start)!;
        var stdout = up.StandardOutput.ReadToEndAsync();
        try
        {
            // Human text goes to stderr; wait for the "is up" line (bounded by the read itself ending).
            string? line;
            var seen = new List<string>();
            while ((line = up.StandardError.ReadLine()) is not null && !line.Contains("is up", StringComparison.Ordinal))
            {
                seen.Add(line);
            }
            Assert.IsNotNull(line, "up ended before the Kit was up:\n" + string.Join("\n", seen));
            Assert.IsNotEmpty(HostProcessTable.OfKit(kit), "no workload process is running");

            TestMachine.Run("/bin/kill", "-INT", up.Id.ToString());
            var rest = up.StandardError.ReadToEnd();
            Assert.IsTrue(up.WaitForExit(TimeSpan.FromSeconds(60)), "up did not stop after Ctrl-C");
            Assert.AreEqual(0, up.ExitCode, rest + stdout.Result);
            StringAssert.Contains(rest, "Stopping hello");
            Assert.IsEmpty(HostProcessTable.WaitUntilKitGone(kit, TimeSpan.FromSeconds(30)), "a workload outlived up");
        }
        finally
        {
            if (!up.HasExited)
            {
                up.Kill(entireProcessTree: true);
            }
        }
    }
}
