using CapaKit.Tool.Tests.Support;

namespace CapaKit.Tool.Tests.Egress;

/// <summary>
/// Through the real tool: an install phase's registries come from capability.yml, so a workload that rewrites its own
/// .npmrc cannot widen the next install's egress; the runtime reads that file only to refuse the run, and never
/// through a link.
/// </summary>
[TestClass]
public sealed class InstallAllowlistToolTests
{
    private const string Key = "`workloads.app.runtime.source.prepare.registries` of capability.yml";

    private static string Manifest(string registries = "") => $$"""
        version: '1'
        name: registries
        workloads:
          app:
            runtime:
              source:
                toolchain: bun
                prepare: {command: bun install{{registries}}}
                start: {command: bun run index.ts}
        """;

    /// <summary>
    /// Leaves a mark that it ran, asks the egress proxy for a tunnel to registry.evil.example and prints the answer.
    /// The proxy decides about an unlisted host before any DNS lookup, so nothing leaves this machine.
    /// </summary>
    private const string Probe = """
        import { connect } from "node:net";
        import { writeFileSync } from "node:fs";
        writeFileSync("probe-ran", "");
        const proxy = new URL(process.env.HTTPS_PROXY!);
        const socket = connect(Number(proxy.port), proxy.hostname, () =>
          socket.write("CONNECT registry.evil.example:443 HTTP/1.1\r\nHost: registry.evil.example:443\r\n\r\n"));
        let got = "";
        const done = () => { console.log("PROXY " + JSON.stringify(got)); process.exit(0); };
        socket.on("data", (data) => { got += data.toString("latin1"); if (got.includes("\r\n\r\n") && got.startsWith("HTTP/1.1 200")) done(); });
        socket.on("close", done);
        socket.on("error", (error) => { console.log("ERROR " + error.message); process.exit(3); });
        """;

    private static TestKit NewKit(RunAs owner, string registries = "") =>
        TestKit.Create("registries", Manifest(registries), new Dictionary<string, IReadOnlyDictionary<string, string>>
        {
            ["app"] = new Dictionary<string, string>
            {
                ["package.json"] = """{ "name": "app", "private": true }""" + "\n",
                ["probe.ts"] = Probe,
            },
        }, owner);

    private static ToolResult Prepare(RunAs who, TestKit kit, params string[] command) =>
        ToolProcess.Run(who, kit.Directory, ["exec", "app", "--phase", "prepare", "--kit", kit.ProjectFile, "--", .. command],
            timeout: TimeSpan.FromMinutes(2));

    [TestMethod]
    [DataRow(RunAs.Root)]
    [DataRow(RunAs.User)]
    public void AnInstallThatRewritesNpmrc_CannotWidenTheNextInstall(RunAs who)
    {
        var kit = NewKit(who);
        var root = kit.WorkloadRoot("app");

        // What a malicious postinstall would do: point the next install at a registry of its choosing.
        var first = Prepare(who, kit, "/bin/sh", "-c", "printf 'registry=https://registry.evil.example/\\n' > .npmrc");
        Assert.AreEqual(0, first.ExitCode, first.ToString());
        Assert.IsTrue(File.Exists(Path.Combine(root, ".npmrc")), first.ToString());

        var second = Prepare(who, kit, "bun", "probe.ts");

        Assert.IsFalse(File.Exists(Path.Combine(root, "probe-ran")), $"the second install ran, so its egress was not stopped:\n{second}");
        Assert.AreEqual(ExitCodes.Tool, second.ExitCode, second.ToString());
        StringAssert.Contains(second.StandardError, "CAPA0520: ");
        StringAssert.Contains(second.StandardError, $"{Path.Combine(root, ".npmrc")} (line 1, registry) names the registry registry.evil.example");
        StringAssert.Contains(second.StandardError, Key);
    }

    [TestMethod]
    public void TheProxyListsExactlyTheManifestsRegistries()
    {
        var kit = NewKit(RunAs.Root, ", registries: ['https://npm.internal.example.com/acme']");
        File.WriteAllText(Path.Combine(kit.WorkloadRoot("app"), ".npmrc"), "@acme:registry=https://npm.internal.example.com/acme/\n");

        var run = Prepare(RunAs.Root, kit, "bun", "probe.ts");

        Assert.AreEqual(0, run.ExitCode, run.ToString());
        StringAssert.Contains(run.StandardOutput, "HTTP/1.1 403 Forbidden", run.ToString());
        StringAssert.Contains(run.StandardOutput, "may only reach the listed registries (npm.internal.example.com)",
            "neither the npm default nor anything from .npmrc joins a manifest's list");
    }

    [TestMethod]
    [DataRow(RunAs.Root, "/dev/zero")]
    [DataRow(RunAs.Root, "host file")]
    [DataRow(RunAs.User, "/dev/zero")]
    [DataRow(RunAs.User, "host file")]
    public void ASymlinkedNpmrc_IsRefusedWithoutFollowingIt(RunAs who, string target)
    {
        var kit = NewKit(who);
        var root = kit.WorkloadRoot("app");
        if (target == "host file")
        {
            // Outside every mount, readable by the test user too, and naming a registry: were it read, the refusal would name that host.
            target = Path.Combine(TestMachine.Root, $"host-npmrc-{Guid.NewGuid():N}");
            File.WriteAllText(target, "registry=https://registry.host-secret.example/\n");
            File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }
        File.CreateSymbolicLink(Path.Combine(root, ".npmrc"), target);

        var run = Prepare(who, kit, "bun", "probe.ts");

        Assert.AreEqual(ExitCodes.Tool, run.ExitCode, run.ToString());
        StringAssert.Contains(run.StandardError, $"CAPA0500: CapaKit will not use {Path.Combine(root, ".npmrc")}: it is a symbolic link");
        Assert.DoesNotContain("host-secret", run.All);
        Assert.IsFalse(File.Exists(Path.Combine(root, "probe-ran")), run.ToString());
    }
}
