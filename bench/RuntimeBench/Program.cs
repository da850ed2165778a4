// Request latency and throughput of the three paths a request can take to the same Bun HTTP server:
//   direct:  HTTP over the server's unix socket (the yardstick)
//   gateway: HTTP to the Kit gateway on 127.0.0.1, which forwards to the unix socket
//   mesh:    HTTP over the caller's connection socket, carried over mutual TLS 1.3 to the target's ingress
// The server runs outside any sandbox so only the runtime's proxies are measured.
using System.Diagnostics;
using System.Net.Sockets;
using CapaKit.Bundle;
using CapaKit.Tasks.Certificates;
using CapaKit.Tool.Gateway;
using CapaKit.Tool.Mesh;
using Microsoft.Extensions.Logging.Abstractions;

var bun = args.Length > 0 ? args[0] : "bun";
var requests = args.Length > 1 ? int.Parse(args[1]) : 2000;
var seconds = args.Length > 2 ? int.Parse(args[2]) : 5;
var work = Directory.CreateTempSubdirectory("capakit-rtbench-").FullName;
try
{
    var ingress = Path.Combine(work, "in.sock");
    var server = Path.Combine(work, "server.ts");
    File.WriteAllText(server, """
        const path = process.argv[2];
        Bun.serve({ unix: path, fetch() { return new Response("ok"); } });
        console.log("listening");
        """);
    using var bunProcess = Process.Start(new ProcessStartInfo(bun, [server, ingress]) { RedirectStandardOutput = true })!;
    bunProcess.StandardOutput.ReadLine();

    var kitDir = Path.Combine(work, "kit");
    var bundleDir = Path.Combine(kitDir, "bin", "kit");
    Directory.CreateDirectory(Path.Combine(kitDir, "workloads", "api"));
    Directory.CreateDirectory(Path.Combine(kitDir, "workloads", "web"));
    KitCertificates.Ensure(bundleDir, "bench", ["api", "web"], DateTimeOffset.UtcNow);
    WorkloadModel Workload(string name, List<string> connections) => new()
    {
        Name = name, Root = "workloads/" + name, Toolchain = "bun", Connections = connections,
        Endpoints = [new EndpointModel { Protocol = "http", Path = "/" }],
        Identity = new WorkloadIdentityModel { SpiffeId = BundleFormat.SpiffeId("bench", name), Certificate = BundleFormat.WorkloadCertificate(name), Key = BundleFormat.WorkloadKey(name) },
    };
    var kit = new KitBundle
    {
        CompilerVersion = "bench",
        Kit = new KitInfo { Name = "bench", Directory = kitDir, ManifestFile = "capability.yml" },
        Identity = new IdentityModel { TrustDomain = BundleFormat.TrustDomain("bench"), CaCertificate = BundleFormat.CaCertificateFile },
        Workloads = new(StringComparer.Ordinal) { ["api"] = Workload("api", []), ["web"] = Workload("web", ["api"]) },
        Expose = [new ExposeModel { Path = "/", Target = "api", Endpoints = ["http"] }],
        StartOrder = ["api", "web"],
    };
    await using var mesh = await WorkloadMesh.StartAsync(kit, bundleDir, Path.Combine(work, "m"), _ => ingress, NullLogger.Instance, CancellationToken.None);
    await using var gateway = await KitGateway.StartAsync(kit, new GatewayOptions(0), _ => ingress, NullLogger.Instance, CancellationToken.None);

    HttpClient UnixClient(string socket) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (_, ct) =>
        {
            var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await s.ConnectAsync(new UnixDomainSocketEndPoint(socket), ct);
            return new NetworkStream(s, ownsSocket: true);
        },
        MaxConnectionsPerServer = 64,
    }) { BaseAddress = new Uri("http://workload/") };

    var paths = new (string Name, HttpClient Client, string Target)[]
    {
        ("direct unix socket (yardstick)", UnixClient(ingress), "unix:" + ingress),
        ("gateway (127.0.0.1 → unix socket)", new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = gateway.BaseUri }, gateway.BaseUri.ToString()),
        ("mesh (web → mTLS 1.3 → api)", UnixClient(mesh.ConnectionSocket("web", "api")), "unix:" + mesh.ConnectionSocket("web", "api")),
    };

    // Throughput from a separate Bun process, as one workload calls another: the load generator does not share the
    // runtime's thread pool. Three rounds, the paths alternating, median per path.
    var load = Path.Combine(work, "load.ts");
    File.WriteAllText(load, """
        const [target, secondsText, clientsText] = process.argv.slice(2);
        const unix = target.startsWith("unix:") ? target.slice(5) : undefined;
        const url = unix ? "http://workload/" : target;
        const end = performance.now() + Number(secondsText) * 1000;
        let done = 0;
        async function client() {
          while (performance.now() < end) {
            const response = await fetch(url, unix ? { unix } : {});
            await response.text();
            done++;
          }
        }
        await Promise.all(Array.from({ length: Number(clientsText) }, client));
        console.log(done / Number(secondsText));
        """);
    var separate = paths.ToDictionary(p => p.Name, _ => new List<double>());
    for (var round = 0; round < 3; round++)
    {
        foreach (var (name, _, target) in paths)
        {
            using var generator = Process.Start(new ProcessStartInfo(bun, [load, target, seconds.ToString(), "32"]) { RedirectStandardOutput = true })!;
            var text = await generator.StandardOutput.ReadToEndAsync();
            await generator.WaitForExitAsync();
            separate[name].Add(double.Parse(text.Trim(), System.Globalization.CultureInfo.InvariantCulture));
        }
    }
    static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    var results = new List<(string Name, double P50, double P99, double Rps, double SeparateRps)>();
    foreach (var (name, client, _) in paths)
    {
        for (var i = 0; i < 200; i++) await client.GetStringAsync("/");   // warm up connections and JIT
        var latencies = new double[requests];
        for (var i = 0; i < requests; i++)
        {
            var t = Stopwatch.GetTimestamp();
            await client.GetStringAsync("/");
            latencies[i] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
        }
        Array.Sort(latencies);
        long done = 0;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        var workers = Enumerable.Range(0, 32).Select(async _ =>
        {
            while (!stop.IsCancellationRequested)
            {
                try { await client.GetStringAsync("/", stop.Token); Interlocked.Increment(ref done); }
                catch (OperationCanceledException) { }
            }
        });
        await Task.WhenAll(workers);
        results.Add((name, latencies[requests / 2], latencies[(int)(requests * 0.99)], done / (double)seconds, Median(separate[name])));
    }

    var yard = results[0];
    Console.WriteLine("| path | p50 ms | p99 ms | req/s, in-process client | req/s, Bun client | p50 vs direct | throughput vs direct (in-process) | throughput vs direct (Bun) |");
    Console.WriteLine("|---|---|---|---|---|---|---|---|");
    foreach (var r in results)
    {
        Console.WriteLine($"| {r.Name} | {r.P50:0.000} | {r.P99:0.000} | {r.Rps:0} | {r.SeparateRps:0} | {r.P50 / yard.P50:0.00}× | {r.Rps / yard.Rps:P0} | {r.SeparateRps / yard.SeparateRps:P0} |");
    }
    Console.WriteLine();
    Console.WriteLine($"{requests} sequential requests for latency; throughput with 32 concurrent keep-alive clients for {seconds} s, from this process " +
        $"(sharing its thread pool with the proxies) and from a separate Bun process (median of 3 alternating rounds); {Environment.ProcessorCount} cores; same Bun server.");
    bunProcess.Kill();
}
finally
{
    Directory.Delete(work, recursive: true);
}
