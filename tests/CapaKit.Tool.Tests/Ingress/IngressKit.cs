using System.Text.Json;
using System.Text.RegularExpressions;
using CapaKit.Tool.Kits;
using CapaKit.Tool.Runtime;
using CapaKit.Tool.Tests.Runtime;
using CapaKit.Tool.Tests.Support;

namespace CapaKit.Tool.Tests.Ingress;

/// <summary>
/// The Kit of RuntimeKits/ingress brought up once per identity (`up -d` as root or as the test user) for all the
/// ingress-attack tests. victim and renamer each hold a secret; linker, thief and renamer replace their ingress
/// socket's name when a test arms them; peer connects to those three; faker moves its own secrets bridge onto its
/// ingress name before it listens and waits for a file `release`. While `up` runs, this fixture records what the
/// runtime made of faker's planted socket, then releases it.
/// </summary>
internal sealed class IngressKit
{
    private static readonly Dictionary<RunAs, Lazy<IngressKit>> Kits = new()
    {
        [RunAs.Root] = new(() => new IngressKit(RunAs.Root)),
        [RunAs.User] = new(() => new IngressKit(RunAs.User)),
    };

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private readonly TempHome? _home;
    private readonly Capakit? _asRoot;

    private IngressKit(RunAs who)
    {
        Who = who;
        var folder = Path.Combine(AppContext.BaseDirectory, "RuntimeKits", "ingress");
        var workload = new Dictionary<string, string> { ["workload.ts"] = File.ReadAllText(Path.Combine(folder, "workload.ts")) };
        Kit = TestKit.Create("ingress", File.ReadAllText(Path.Combine(folder, "capability.yml")),
            new[] { "victim", "linker", "thief", "renamer", "faker", "peer" }.ToDictionary(w => w, IReadOnlyDictionary<string, string> (_) => workload), who);
        // The tool runs with a cleared environment (no XDG_RUNTIME_DIR): its runtime folder is /tmp/capakit-<user>.
        Instance = new InstancePaths(KitProject.Locate(Kit.ProjectFile, Kit.Directory), $"/tmp/capakit-{(who == RunAs.Root ? "root" : TestMachine.UserName)}");
        if (who == RunAs.Root)
        {
            _home = new TempHome(); // root's `secrets set` must not write into the real home
            _asRoot = new Capakit(Kit, _home.Path);
        }

        Run(VictimKey, "secrets", "set", "victim_key").AssertSucceeded();
        Run(RenamerKey, "secrets", "set", "renamer_key").AssertSucceeded();
        var up = Task.Run(() => Run(null, "up", "-d"));
        try
        {
            // Until released, faker's ingress name holds only its secrets bridge: the supervisor must refuse it, and keep waiting.
            var seen = Poll.Until(() => Log("faker").Contains("CAPA0551", StringComparison.Ordinal) ? "refused" : up.IsCompleted ? "up ended" : null, Bound);
            FakerRefusalLogged = seen == "refused";
            FakerStatusMeanwhile = InstanceState.Read(Instance.StateFile)?.Workloads.GetValueOrDefault("faker")?.Status;
            UpEndedBeforeRelease = up.IsCompleted;
            File.WriteAllText(Path.Combine(Kit.WorkloadRoot("faker"), "release"), "");
            var result = up.GetAwaiter().GetResult();
            result.AssertSucceeded();
            Gateway = new Uri(Regex.Match(result.All, @"http://127\.0\.0\.1:(\d+)/").Value);
            SupervisorPid = InstanceState.Read(Instance.StateFile)!.SupervisorPid;
        }
        catch
        {
            up.Wait(Bound);
            Down();
            throw;
        }
        Http = GatewayHttp.Client(Gateway);
    }

    public RunAs Who { get; }
    public TestKit Kit { get; }
    public InstancePaths Instance { get; }
    public Uri Gateway { get; } = null!;
    public HttpClient Http { get; } = null!;
    public int SupervisorPid { get; }
    public string VictimKey { get; } = "victim-key-" + Guid.NewGuid().ToString("N");
    public string RenamerKey { get; } = "renamer-key-" + Guid.NewGuid().ToString("N");

    /// <summary>faker's log named a CAPA0551 refusal while `up` was still waiting for it.</summary>
    public bool FakerRefusalLogged { get; }

    /// <summary>faker's status in the state file when the refusal was seen (or when `up` ended).</summary>
    public string? FakerStatusMeanwhile { get; }

    public bool UpEndedBeforeRelease { get; }

    public static IngressKit For(RunAs who) => Kits[who].Value;

    /// <summary>`down` for every Kit a test brought up; never throws.</summary>
    public static void DownAll()
    {
        foreach (var kit in Kits.Values.Where(k => k.IsValueCreated))
        {
            kit.Value.Http.Dispose();
            kit.Value.Down();
        }
    }

    /// <summary>A bridge request resolving <paramref name="secret"/>, as the workload contract spells it.</summary>
    public static HttpContent BridgeRequest(string secret) => new StringContent(
        JsonSerializer.Serialize(new { id = "1", op = "resolve_secret", @params = new { secret_mid = secret } }) + "\n",
        System.Text.Encoding.UTF8, "application/x-capakit-workload-bridge-jsonl");

    /// <summary>Tells an attacker to replace its ingress name now (it answers once the name is replaced).</summary>
    public void Arm(string workload, string query)
    {
        using var response = Http.PostAsync($"/{workload}/arm?{query}", null).GetAwaiter().GetResult();
        var body = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
        Assert.AreEqual(200, (int)response.StatusCode, $"arming {workload}: {body}");
        StringAssert.StartsWith(body, "armed: ");
    }

    /// <summary>POSTs through the gateway; the status and body, whatever they are.</summary>
    public (int Status, string Body) Post(string path, HttpContent content)
    {
        using var response = Http.PostAsync(path, content).GetAwaiter().GetResult();
        return ((int)response.StatusCode, response.Content.ReadAsStringAsync().GetAwaiter().GetResult());
    }

    /// <summary>What peer got when it sent a bridge request for <paramref name="secret"/> over its connection to <paramref name="target"/>.</summary>
    public JsonElement CallThroughMesh(string target, string secret) =>
        Http.GetJson($"/peer/call?to={target}&secret={secret}");

    /// <summary>A workload's log file as the supervisor wrote it so far ("" when there is none yet).</summary>
    public string Log(string workload)
    {
        try
        {
            using var stream = new FileStream(Instance.LogFile(workload), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            return new StreamReader(stream).ReadToEnd();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    /// <summary>No secret of the Kit in <paramref name="text"/>.</summary>
    public void AssertNoSecretIn(string text, string what)
    {
        Assert.DoesNotContain(VictimKey, text, $"{what} ({Who}) carried victim's secret:\n{text}");
        Assert.DoesNotContain(RenamerKey, text, $"{what} ({Who}) carried renamer's secret:\n{text}");
    }

    private ToolResult Run(string? standardInput, params string[] args) => Who == RunAs.Root
        ? _asRoot!.RunWithInput(standardInput, args)
        : ToolProcess.Run(RunAs.User, Kit.Directory, args, standardInput: standardInput);

    private void Down()
    {
        try
        {
            if (_asRoot is not null)
            {
                _asRoot.Down();
            }
            else
            {
                var down = Run(null, "down");
                if (down.ExitCode != 0)
                {
                    Console.Error.WriteLine("cleanup: " + down);
                }
                var left = HostProcessTable.WaitUntilKitGone(Kit, TimeSpan.FromSeconds(15));
                if (left.Count == 0 && Directory.Exists(Instance.Directory))
                {
                    Directory.Delete(Instance.Directory, recursive: true);
                }
            }
        }
        catch (Exception e)
        {
            Console.Error.WriteLine("cleanup: down failed: " + e);
        }
        _home?.Dispose();
    }
}

internal static class ToolResultAssertions
{
    public static void AssertSucceeded(this ToolResult result) => Assert.AreEqual(0, result.ExitCode, result.ToString());
}
