using CapaKit.Bundle;
using CapaKit.Tasks.Policies;
using CapaKit.Tasks.Tests.Policies.Sbpl;

namespace CapaKit.Tasks.Tests.Policies;

/// <summary>
/// The parameter values a runtime on a Mac would pass for one run of the todo Kit (canonical paths, alice's
/// home). Every run gets the same superset, so a path being closed never comes from a missing parameter.
/// </summary>
internal static class MacRun
{
    public const string Tmp = "/private/tmp/capakit-run-1";
    public const string Sockets = "/private/tmp/ck-1";
    public const string BunDir = "/Users/alice/.bun/bin";
    public const string DataMount = "/Users/alice/todo-data";
    public const string DocsMount = "/Users/alice/Documents/todo-docs";
    public const string EgressSocket = Sockets + "/egress.sock";
    public const string WebToApiSocket = Sockets + "/web-to-api.sock";
    public const string ApiToWebSocket = Sockets + "/api-to-web.sock";

    public static string Root(string workload) => $"{TodoKit.Directory}/workloads/{workload}";
    public static string Ingress(string workload) => $"{Sockets}/{workload}.sock";
    public static string Bridge(string workload) => $"{Sockets}/{workload}.bridge.sock";

    public static Dictionary<string, string> Parameters(string workload) => new(StringComparer.Ordinal)
    {
        [SeatbeltParameters.WorkloadRoot] = Root(workload),
        [SeatbeltParameters.TempDirectory] = Tmp,
        [SeatbeltParameters.Home] = Root(workload) + "/.capakit/home",
        [SeatbeltParameters.BunDirectory] = BunDir,
        [SeatbeltParameters.IngressSocket] = Ingress(workload),
        [SeatbeltParameters.BridgeSocket] = Bridge(workload),
        [SeatbeltParameters.EgressProxySocket] = EgressSocket,
        [SeatbeltParameters.ConnectionSocket("api")] = WebToApiSocket,
        [SeatbeltParameters.ConnectionSocket("web")] = ApiToWebSocket,
        [SeatbeltParameters.Mount("data")] = DataMount,
        [SeatbeltParameters.Mount("docs")] = DocsMount,
    };

    public static string Profile(string workload, string phase)
    {
        var kit = TodoKit.Build();
        return SeatbeltProfileWriter.Write(kit, kit.Workloads[workload], phase);
    }

    public static SeatbeltPolicy Policy(string workload, string phase, Action<Dictionary<string, string>>? adjust = null)
    {
        var parameters = Parameters(workload);
        adjust?.Invoke(parameters);
        return SeatbeltPolicy.Load(Profile(workload, phase), parameters);
    }
}
