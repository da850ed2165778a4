using CapaKit.Tool.Output;

namespace CapaKit.Tool.Commands;

/// <summary>Turns a command's failures into one sentence and its exit code.</summary>
public static class CommandRunner
{
    public static async Task<int> RunAsync(ConsoleOutput output, Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (CapaKitException e)
        {
            output.Error(e.Message);
            return e.ExitCode;
        }
        catch (OperationCanceledException)
        {
            output.Error("Cancelled.");
            return 130;
        }
    }
}
