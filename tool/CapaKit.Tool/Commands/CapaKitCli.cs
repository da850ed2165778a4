using System.CommandLine;

namespace CapaKit.Tool.Commands;

/// <summary>The `dotnet capakit` command tree.</summary>
public static class CapaKitCli
{
    public static async Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("CapaKit runs the workloads of a Kit as single-use sandboxed processes.")
        {
            ExecCommand.Create(),
            DoctorCommand.Create(),
            BuildCommand.Create(),
            DownCommand.Create(),
            LogsCommand.Create(),
        };
        root.Options.Add(CommonOptions.Format);
        return await root.Parse(args).InvokeAsync();
    }
}
