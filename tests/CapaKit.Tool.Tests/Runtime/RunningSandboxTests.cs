using CapaKit.Tool.Sandbox;

namespace CapaKit.Tool.Tests.Runtime;

[TestClass]
public sealed class RunningSandboxTests
{
    [TestMethod]
    public async Task StoppingARunThatEndedAndWasDisposedIsANoOp()
    {
        // The supervisor's `down` can reach a workload's run just after the run ended and its loop disposed it.
        var run = RunningSandbox.Start(new SandboxInvocation("/bin/true", [], []), onLine: (_, _) => { });
        await run.Process.WaitForExitAsync();
        run.Dispose();

        await run.StopAsync();
        run.Dispose();
    }
}
