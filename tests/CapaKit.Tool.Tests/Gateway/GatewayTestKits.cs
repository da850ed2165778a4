using CapaKit.Bundle;

namespace CapaKit.Tool.Tests.Gateway;

/// <summary>Kit bundles built in code, shaped like the samples, for gateway tests.</summary>
internal static class GatewayTestKits
{
    public static WorkloadModel Workload(string name, params (string Protocol, string Path)[] endpoints) => new()
    {
        Name = name,
        Root = $"workloads/{name}",
        Toolchain = "bun",
        Endpoints = [.. endpoints.Select(e => new EndpointModel { Protocol = e.Protocol, Path = e.Path })],
        Identity = new WorkloadIdentityModel { SpiffeId = $"spiffe://test.capakit.local/{name}", Certificate = $"certs/{name}.pem", Key = $"certs/{name}.key" },
    };

    public static ExposeModel Expose(string path, string target, params string[] endpoints) =>
        new() { Path = path, Target = target, Endpoints = [.. endpoints] };

    public static KitBundle Kit(string directory, IEnumerable<WorkloadModel> workloads, params ExposeModel[] expose)
    {
        var kit = new KitBundle
        {
            CompilerVersion = "0.1.0",
            Kit = new KitInfo { Name = "test", Directory = directory, ManifestFile = Path.Combine(directory, "capability.yml") },
            Identity = new IdentityModel { TrustDomain = "test.capakit.local", CaCertificate = "certs/ca.pem" },
            Expose = [.. expose],
        };
        foreach (var workload in workloads)
        {
            kit.Workloads[workload.Name] = workload;
        }
        return kit;
    }

    /// <summary>samples/todo: <c>/</c> → web (http), <c>/api</c> → api (http).</summary>
    public static KitBundle Todo(string directory = "/nonexistent/todo") => Kit(directory,
        [Workload("web", ("http", "/")), Workload("api", ("http", "/"))],
        Expose("/", "web", "http"), Expose("/api", "api", "http"));

    /// <summary>samples/hello: <c>/mcp</c> → hello (mcp at /mcp), default_mcp.</summary>
    public static KitBundle Hello(string directory = "/nonexistent/hello") => Kit(directory,
        [Workload("hello", ("mcp", "/mcp"))],
        Expose("/mcp", "hello", "mcp") with { DefaultMcp = true });
}
