using System.Diagnostics;

namespace CapaKit.Tool.Output;

/// <summary>CAPAKIT_TRACE_TIMING=1 prints milliseconds since process start at named points (for the launch-cost bench).</summary>
public static class StartupTrace
{
    private static readonly bool Enabled = Environment.GetEnvironmentVariable("CAPAKIT_TRACE_TIMING") == "1";

    public static void Mark(string point)
    {
        if (Enabled)
        {
            var elapsed = DateTime.Now - Process.GetCurrentProcess().StartTime;
            Console.Error.WriteLine($"[timing] {elapsed.TotalMilliseconds,7:0.0} ms  {point}");
        }
    }
}
