using CapaKit.Bundle;

namespace CapaKit.Tasks.Tests.Policies;

/// <summary>
/// The Kit the policy tests write profiles for: <c>todo</c> at the fixed folder <c>/kits/todo</c> (so golden
/// files are stable). <c>api</c> serves http, owns the read-write mount <c>data</c> and a secret; <c>web</c>
/// calls <c>api</c>, reads the read-only mount <c>docs</c> and takes an option through its environment.
/// Both install with registry network and start with none; <c>web</c> also hydrates with full network.
/// </summary>
internal static class TodoKit
{
    public const string Directory = "/kits/todo";
    public const string ApiRoot = "/kits/todo/workloads/api";
    public const string WebRoot = "/kits/todo/workloads/web";

    public static KitBundle Build() => new()
    {
        CompilerVersion = "0.1.0",
        Kit = new KitInfo { Name = "todo", License = "Apache-2.0", Directory = Directory, ManifestFile = "capability.yml", ProjectFile = "todo.kitproj" },
        Options = { ["title"] = new OptionModel { Kind = "string", Default = "Todo", Description = "Page title" } },
        HostMounts =
        {
            ["data"] = new HostMountModel { Usage = "Where the todo list is stored", Access = "read_write" },
            ["docs"] = new HostMountModel { Usage = "Help pages shown by the web UI", Access = "read_only" },
        },
        Secrets = { ["db-password"] = new SecretModel { Description = "Database password" } },
        Workloads =
        {
            ["api"] = Workload("api", w => w with
            {
                Endpoints = [new EndpointModel { Protocol = "http", Path = "/" }],
                Mounts = [new WorkloadMountModel { Mount = "data", Access = "read_write" }],
                Secrets = ["db-password"],
            }, Phase("api", "prepare", "bun install", NetworkAccess.Registry), Phase("api", "start", "bun run server.ts", NetworkAccess.None)),
            ["web"] = Workload("web", w => w with
            {
                Endpoints = [new EndpointModel { Protocol = "http", Path = "/" }],
                Connections = ["api"],
                Mounts = [new WorkloadMountModel { Mount = "docs", Access = "read_only" }],
            },
                Phase("web", "prepare", "bun install", NetworkAccess.Registry),
                Phase("web", "hydrate", "bun run fetch-assets.ts", NetworkAccess.Full),
                Phase("web", "start", "bun run web.ts", NetworkAccess.None, env: new() { ["TODO_TITLE"] = "title" })),
        },
        Expose = [new ExposeModel { Path = "/todo", Target = "web", Endpoints = ["http"] }],
        StartOrder = ["api", "web"],
        Identity = new IdentityModel { TrustDomain = BundleFormat.TrustDomain("todo"), CaCertificate = BundleFormat.CaCertificateFile },
    };

    public static WorkloadModel Api => Build().Workloads["api"];
    public static WorkloadModel Web => Build().Workloads["web"];

    public static WorkloadModel Workload(string name, Func<WorkloadModel, WorkloadModel> shape, params (string Name, PhaseModel Model)[] phases)
    {
        var workload = shape(new WorkloadModel
        {
            Name = name,
            Root = $"workloads/{name}",
            Toolchain = "bun",
            Identity = new WorkloadIdentityModel
            {
                SpiffeId = BundleFormat.SpiffeId("todo", name),
                Certificate = BundleFormat.WorkloadCertificate(name),
                Key = BundleFormat.WorkloadKey(name),
            },
        });
        foreach (var (phaseName, model) in phases)
        {
            workload.Phases[phaseName] = model;
        }
        return workload;
    }

    public static (string, PhaseModel) Phase(string workload, string phase, string command, string network,
        SortedDictionary<string, string>? env = null, int timeoutSeconds = 0) =>
        (phase, new PhaseModel
        {
            Command = command,
            Argv = [.. command.Split(' ')],
            Network = network,
            Registries = network == NetworkAccess.Registry ? ["registry.npmjs.org"] : [],
            EnvFromOptions = env ?? new(StringComparer.Ordinal),
            TimeoutSeconds = timeoutSeconds,
            SeatbeltProfile = BundleFormat.SeatbeltProfile(workload, phase),
            LinuxSpec = BundleFormat.LinuxSpec(workload, phase),
        });
}
