using CapaKit.Bundle;
using CapaKit.Tool.Sandbox;
using CapaKit.Tool.Sandbox.MacOS;

namespace CapaKit.Tool.Tests.MacOS;

/// <summary>The macOS launcher's sandbox-exec command line (it cannot run here; its arguments can be checked).</summary>
[TestClass]
public sealed class SeatbeltLauncherTests
{
    [TestMethod]
    public void BuildsTheSandboxExecCommandLine()
    {
        var temp = Directory.CreateTempSubdirectory("capakit-seatbelt-").FullName;
        try
        {
            var kitDir = Path.Combine(temp, "kit");
            var root = Path.Combine(kitDir, "workloads", "api");
            var data = Path.Combine(temp, "data");
            Directory.CreateDirectory(root);
            Directory.CreateDirectory(data);
            var bundleDir = Path.Combine(kitDir, "bin", "Debug", "kit");
            Directory.CreateDirectory(Path.Combine(bundleDir, "policies"));
            File.WriteAllText(Path.Combine(bundleDir, "policies", "api.start.sb"), "(version 1)\n(deny default)\n");

            var workload = new WorkloadModel
            {
                Name = "api",
                Root = "workloads/api",
                Toolchain = "bun",
                Mounts = [new WorkloadMountModel { Mount = "data", Access = "read_write" }],
                Identity = new WorkloadIdentityModel { SpiffeId = "spiffe://todo.capakit.local/api", Certificate = "certs/api.pem", Key = "certs/api.key" },
                Phases = new(StringComparer.Ordinal)
                {
                    ["start"] = new PhaseModel
                    {
                        Command = "bun run src/index.ts", Argv = ["bun", "run", "src/index.ts"], Network = NetworkAccess.None,
                        SeatbeltProfile = "policies/api.start.sb", LinuxSpec = "policies/api.start.linux.json",
                        EnvFromOptions = new(StringComparer.Ordinal) { ["TODO_MAX_ITEMS"] = "max_items" },
                    },
                },
            };
            var kit = new KitBundle
            {
                CompilerVersion = "0.1.0",
                Kit = new KitInfo { Name = "todo", Directory = kitDir, ManifestFile = "capability.yml" },
                Identity = new IdentityModel { TrustDomain = "todo.capakit.local", CaCertificate = "certs/ca.pem" },
                Options = new(StringComparer.Ordinal) { ["max_items"] = new OptionModel { Kind = "number", Default = "100" } },
                HostMounts = new(StringComparer.Ordinal) { ["data"] = new HostMountModel { Access = "read_write" } },
                Workloads = new(StringComparer.Ordinal) { ["api"] = workload },
            };
            var run = new SandboxRun
            {
                BundleDirectory = bundleDir,
                Kit = kit,
                Workload = workload,
                Phase = "start",
                Argv = ["bun", "test"],
                RuntimeDirectory = "/tmp/capakit-u/r1",
                BunExecutable = "/opt/bun/bin/bun",
                MountPaths = new Dictionary<string, string> { ["data"] = data },
                ContractEnvironment = new Dictionary<string, string>
                {
                    ["CAPAKIT_RUNNER_MANAGED_INGRESS_BIND"] = "unix:/tmp/capakit-u/r1/api.sock",
                    ["CAPAKIT_RUNNER_BRIDGE_BIND"] = "unix:/tmp/capakit-u/r1/bridge.sock",
                },
            };

            using var invocation = new SeatbeltLauncher().Prepare(run, "/tmp/capakit-u/r1/tmp");
            Assert.AreEqual("/usr/bin/sandbox-exec", invocation.FileName);
            var args = invocation.Arguments.ToList();
            CollectionAssert.AreEqual(new[] { "-f", Path.Combine(bundleDir, "policies/api.start.sb") }, args.Take(2).ToArray());
            CollectionAssert.AreEqual(new[] { "bun", "test" }, args.TakeLast(2).ToArray(), "the command follows the options directly");
            CollectionAssert.DoesNotContain(args, "--");

            var parameters = args.Select((a, i) => (a, i)).Where(x => x.a == "-D").Select(x => args[x.i + 1]).ToList();
            CollectionAssert.Contains(parameters, $"WORKLOAD_ROOT={SeatbeltLauncher.Canonical(root)}");
            CollectionAssert.Contains(parameters, "TMPDIR=/private/tmp/capakit-u/r1/tmp", "Seatbelt matches /private/tmp, never the /tmp symlink");
            CollectionAssert.Contains(parameters, "INGRESS_SOCKET=/private/tmp/capakit-u/r1/api.sock");
            CollectionAssert.Contains(parameters, "BRIDGE_SOCKET=/private/tmp/capakit-u/r1/bridge.sock");
            CollectionAssert.Contains(parameters, $"MOUNT_DATA={SeatbeltLauncher.Canonical(data)}");
            CollectionAssert.Contains(parameters, "BUN_DIR=/opt/bun/bin");
            CollectionAssert.Contains(parameters, $"HOME={SeatbeltLauncher.Canonical(root)}/.capakit/home");

            var env = invocation.Environment!;
            Assert.AreEqual("100", env["TODO_MAX_ITEMS"]);
            Assert.AreEqual("mac_os_sandbox", env["CAPAKIT_RUNNER_HOST_BACKEND"]);
            Assert.AreEqual("api", env["CAPAKIT_WORKLOAD_MID"]);
            StringAssert.StartsWith(env["PATH"], "/opt/bun/bin:");
            Assert.IsFalse(env.ContainsKey("USER"), "nothing of the host's environment");
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }

    [TestMethod]
    [DataRow("/tmp/x", "/private/tmp/x")]
    [DataRow("/var/folders/a", "/private/var/folders/a")]
    [DataRow("/etc/hosts", "/private/etc/hosts")]
    [DataRow("/tmpfoo/x", "/tmpfoo/x")]
    [DataRow("/Users/alice/kit", "/Users/alice/kit")]
    public void CanonicalPathsUseTheResolvedSpelling(string path, string expected) => Assert.AreEqual(expected, SeatbeltLauncher.Canonical(path));
}
