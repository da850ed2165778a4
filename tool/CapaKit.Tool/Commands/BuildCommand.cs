using System.CommandLine;
using System.Text.Json.Nodes;
using CapaKit.Tool.Kits;
using CapaKit.Tool.Output;

namespace CapaKit.Tool.Commands;

/// <summary><c>dotnet capakit build</c>: compile the Kit's bundle now (the other commands do it when it is stale).</summary>
public static class BuildCommand
{
    public static Command Create()
    {
        var build = new Command("build", "Compile the Kit (dotnet build) when its bundle is out of date, and say where the bundle is.")
        {
            CommonOptions.Kit,
        };
        build.SetAction(async (parse, ct) =>
        {
            var output = ConsoleOutput.From(parse);
            return await CommandRunner.RunAsync(output, async () =>
            {
                var kit = KitProject.Locate(parse.GetValue(CommonOptions.Kit), Environment.CurrentDirectory);
                var fresh = KitBuilder.IsFresh(kit);
                var bundle = await output.StatusAsync("Building the Kit", status => KitBuilder.EnsureBuiltAsync(kit, status, ct));
                if (output.Json)
                {
                    output.WriteJson(new JsonObject
                    {
                        ["kit"] = bundle.Kit.Name,
                        ["bundle"] = kit.BundleDirectory,
                        ["rebuilt"] = !fresh,
                        ["workloads"] = new JsonArray([.. bundle.Workloads.Keys.Select(w => (JsonNode)w)]),
                        ["hostMounts"] = new JsonArray([.. bundle.HostMounts.Keys.Select(m => (JsonNode)m)]),
                        ["secrets"] = new JsonArray([.. bundle.Secrets.Keys.Select(m => (JsonNode)m)]),
                    });
                }
                else
                {
                    output.Info($"Kit '{bundle.Kit.Name}' is {(fresh ? "up to date" : "built")}: {kit.BundleDirectory} ({bundle.Workloads.Count} workloads: {string.Join(", ", bundle.Workloads.Keys)}).");
                }
                return ExitCodes.Ok;
            });
        });
        return build;
    }
}
