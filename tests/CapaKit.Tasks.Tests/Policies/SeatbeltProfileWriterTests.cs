using CapaKit.Bundle;
using CapaKit.Tasks.Policies;
using CapaKit.Tasks.Tests.Policies.Sbpl;

namespace CapaKit.Tasks.Tests.Policies;

/// <summary>What a todo workload may and may not do under its generated Seatbelt profile, asked of the profile's meaning.</summary>
[TestClass]
public sealed class SeatbeltProfileWriterTests
{
    public static IEnumerable<object[]> AllPhases() =>
        TodoKit.Build().Workloads.Values.SelectMany(w => w.Phases.Keys.Select(p => new object[] { w.Name, p }));

    /// <summary>What a Bun process needs in every phase; each line stands for a rule the profile must keep.</summary>
    [TestMethod]
    [DynamicData(nameof(AllPhases))]
    public void EveryPhaseGivesBunWhatItNeeds(string workload, string phase)
    {
        var policy = MacRun.Policy(workload, phase);
        var root = MacRun.Root(workload);
        var context = $"{workload}.{phase}";

        Assert.IsTrue(policy.MayFork(), context);
        Assert.IsTrue(policy.MaySignal("same-sandbox"), context);
        Assert.IsTrue(policy.MayInspectProcess("self"), context);
        Assert.IsTrue(policy.MayUsePosixSemaphores(), context);
        foreach (var program in new[] { MacRun.BunDir + "/bun", "/bin/sh", "/usr/bin/env", root + "/node_modules/.bin/tsc", MacRun.Tmp + "/bunx-501-x/node_modules/.bin/x" })
        {
            Assert.IsTrue(policy.MayExec(program), $"{context}: exec {program}");
        }
        foreach (var library in new[] { "/usr/lib/libc++.1.dylib", "/System/Library/Frameworks/Security.framework/Security", "/System/Volumes/Preboot/Cryptexes/OS/System/Library/dyld/dyld_shared_cache_arm64e", MacRun.BunDir + "/bun", root + "/node_modules/x/addon.node" })
        {
            Assert.IsTrue(policy.MayMapExecutable(library), $"{context}: map {library}");
        }
        foreach (var file in new[]
        {
            "/bin/sh", "/usr/bin/env", "/usr/lib/dyld", "/usr/share/zoneinfo.default", "/System/Library/CoreServices/SystemVersion.plist",
            "/System/Volumes/Preboot/Cryptexes/OS/System/Library/dyld/dyld_shared_cache_arm64e", "/private/etc/ssl/cert.pem",
            "/private/etc/localtime", "/private/var/db/timezone/zoneinfo/UTC", "/private/var/select/sh", MacRun.BunDir + "/bun",
        })
        {
            Assert.IsTrue(policy.MayReadFile(file), $"{context}: read {file}");
        }
        // The sysctls named in the sandbox facts: a missing one gives wrong answers, not errors.
        foreach (var name in new[]
        {
            "hw.ncpu", "hw.memsize", "hw.pagesize", "hw.cputype", "hw.cpufamily", "hw.cachelinesize", "hw.l1icachesize",
            "hw.l1dcachesize", "hw.l2cachesize", "hw.l3cachesize", "machdep.cpu.brand_string", "hw.model", "kern.osrelease",
            "kern.osversion", "hw.optional.arm64",
        })
        {
            Assert.IsTrue(policy.MayReadSysctl(name), $"{context}: sysctl {name}");
        }
        foreach (var service in new[] { "com.apple.system.opendirectoryd.libinfo", "com.apple.cfprefsd.daemon", "com.apple.cfprefsd.agent" })
        {
            Assert.IsTrue(policy.MayLookupMach(service), $"{context}: {service}");
        }
        Assert.IsTrue(policy.MayWriteDevice("/dev/null"), context);
        Assert.IsTrue(policy.MayReadDevice("/dev/null"), context);
        Assert.IsTrue(policy.MayReadDevice("/dev/zero"), context);
        Assert.IsTrue(policy.MayReadDevice("/dev/random"), context);
        Assert.IsTrue(policy.MayReadDevice("/dev/urandom"), context);
        Assert.IsTrue(policy.MayStat("/Users/alice/src", isDirectory: true), context);
        foreach (var link in new[] { "/etc", "/tmp", "/var" })
        {
            Assert.IsTrue(policy.MayReadLink(link), $"{context}: readlink {link}");
        }

        foreach (var writable in new[] { root + "/src/index.ts", root + "/.capakit/home/.bun/install/cache/x", MacRun.Tmp + "/x" })
        {
            Assert.IsTrue(policy.MayReadFile(writable), $"{context}: read {writable}");
            Assert.IsTrue(policy.MayWriteFile(writable), $"{context}: write {writable}");
            Assert.IsTrue(policy.MayCreateFile(writable), $"{context}: create {writable}");
        }
        Assert.IsTrue(policy.MayBindUnixSocket(MacRun.Ingress(workload)), context);
        Assert.IsTrue(policy.MayAcceptOnUnixSocket(MacRun.Ingress(workload)), context);
        Assert.IsTrue(policy.MayConnectUnixSocket(MacRun.Bridge(workload)), context);

        // TMPDIR passed in its /tmp spelling works as well: the profile adds the /private one.
        var linked = MacRun.Policy(workload, phase, p => p[SeatbeltParameters.TempDirectory] = "/tmp/capakit-run-1");
        Assert.IsTrue(linked.MayWriteFile("/tmp/capakit-run-1/x"), context);
        Assert.IsTrue(linked.MayExec("/tmp/capakit-run-1/bunx-501-x/node_modules/.bin/x"), context);
    }

    [TestMethod]
    public void WorkloadRootIsReadWriteAndRunnable()
    {
        var api = MacRun.Policy("api", "start");
        var file = TodoKit.ApiRoot + "/src/server.ts";
        Assert.IsTrue(api.MayReadFile(file));
        Assert.IsTrue(api.MayWriteFile(file));
        Assert.IsTrue(api.MayCreateFile(TodoKit.ApiRoot + "/node_modules/.cache/x"));
        Assert.IsTrue(api.MayDeleteFile(file));
        Assert.IsTrue(api.MayListDirectory(TodoKit.ApiRoot));
        Assert.IsTrue(api.MayExec(TodoKit.ApiRoot + "/node_modules/.bin/tsc"));
        Assert.IsTrue(api.MayMapExecutable(TodoKit.ApiRoot + "/node_modules/better-sqlite3/build/Release/addon.node"));
    }

    [TestMethod]
    public void UserSecretsAndHostAccountFilesAreClosed()
    {
        var api = MacRun.Policy("api", "start");
        string[] secrets =
        [
            "/Users/alice/.ssh/id_rsa",
            "/Users/alice/.ssh/id_ed25519",
            "/Users/alice/.aws/credentials",
            "/Users/alice/.npmrc",
            "/Users/alice/Library/Keychains/login.keychain-db",
            "/private/etc/master.passwd", // macOS's /etc/shadow
            "/etc/master.passwd",
            "/private/var/db/dslocal/nodes/Default/users/alice.plist",
            "/Library/Keychains/System.keychain",
        ];
        foreach (var path in secrets)
        {
            Assert.IsFalse(api.MayReadFile(path), path);
            Assert.IsFalse(api.MayStat(path), path);
            Assert.IsFalse(api.MayWriteFile(path), path);
        }
        Assert.IsFalse(api.MayListDirectory("/Users/alice"));
        Assert.IsFalse(api.MayListDirectory("/Users/alice/.ssh"));
    }

    [TestMethod]
    public void ParentFoldersMayBeStattedButNotListed()
    {
        // realpath() walks the root's parents; only their metadata is open.
        var api = MacRun.Policy("api", "start");
        Assert.IsTrue(api.MayStat("/kits/todo", isDirectory: true));
        Assert.IsTrue(api.MayStat("/Users/alice", isDirectory: true));
        Assert.IsTrue(api.MayReadLink("/tmp"), "the /tmp link itself, so realpath() of a /tmp spelling resolves");
        Assert.IsFalse(api.MayReadLink("/private/tmp/capakit-run-2/link"));
        Assert.IsFalse(api.MayListDirectory("/kits/todo"));
        Assert.IsFalse(api.MayStat("/kits/todo/capability.yml"));
    }

    [TestMethod]
    public void OtherWorkloadsRootIsClosed()
    {
        var api = MacRun.Policy("api", "start");
        var web = MacRun.Policy("web", "start");
        Assert.IsFalse(api.MayReadFile(TodoKit.WebRoot + "/web.ts"));
        Assert.IsFalse(api.MayWriteFile(TodoKit.WebRoot + "/web.ts"));
        Assert.IsFalse(api.MayReadFile(TodoKit.ApiRoot + "/../web/web.ts"), "'..' out of the root");
        Assert.IsFalse(web.MayReadFile(TodoKit.ApiRoot + "/server.ts"));
        Assert.IsFalse(web.MayExec(TodoKit.ApiRoot + "/node_modules/.bin/tsc"));
        Assert.IsTrue(web.MayReadFile(TodoKit.WebRoot + "/web.ts"));
    }

    [TestMethod]
    public void KitBuildOutputAndManifestAreClosed()
    {
        var api = MacRun.Policy("api", "prepare");
        foreach (var path in new[]
        {
            "/kits/todo/bin/Debug/capakit/kit.json",
            "/kits/todo/bin/Debug/capakit/certs/api.key",
            "/kits/todo/bin/Debug/capakit/certs/ca.key",
            "/kits/todo/obj/project.assets.json",
            "/kits/todo/capability.yml",
            "/kits/todo/todo.kitproj",
        })
        {
            Assert.IsFalse(api.MayReadFile(path), path);
            Assert.IsFalse(api.MayWriteFile(path), path);
            Assert.IsFalse(api.MayCreateFile(path), path);
        }
    }

    [TestMethod]
    public void OwnTempFolderIsWritableButNotTheHostsTmp()
    {
        var api = MacRun.Policy("api", "start");
        Assert.IsTrue(api.MayWriteFile(MacRun.Tmp + "/bun-build/x.js"));
        Assert.IsTrue(api.MayCreateFile(MacRun.Tmp + "/x"));
        Assert.IsTrue(api.MayExec(MacRun.Tmp + "/bunx-501-cowsay/node_modules/.bin/cowsay"));
        Assert.IsFalse(api.MayWriteFile("/private/tmp/other-users-file"));
        Assert.IsFalse(api.MayReadFile("/private/tmp/other-users-file"));
        Assert.IsFalse(api.MayWriteFile("/tmp/other-users-file"), "the /tmp spelling resolves to the same closed place");
        Assert.IsFalse(api.MayCreateFile("/private/tmp/capakit-run-10/x"), "a sibling whose name starts the same");
        Assert.IsFalse(api.MayMapExecutable(MacRun.Tmp + "/x.dylib"));
    }

    [TestMethod]
    public void TempFolderGivenInSymlinkSpellingStillWorksBecauseTheProfileAddsTheCanonicalOne()
    {
        // The runtime passed TMPDIR as the workload sees it (/tmp/...); the kernel checks /private/tmp/....
        var api = MacRun.Policy("api", "start", p => p[SeatbeltParameters.TempDirectory] = "/tmp/capakit-run-1");
        Assert.IsTrue(api.MayWriteFile("/tmp/capakit-run-1/x"));
        Assert.IsTrue(api.MayWriteFile("/private/tmp/capakit-run-1/x"));
        Assert.IsTrue(api.MayReadFile("/private/tmp/capakit-run-1/x"));
        Assert.IsTrue(api.MayExec("/private/tmp/capakit-run-1/bunx-501-x/node_modules/.bin/x"));
        Assert.IsFalse(api.MayWriteFile("/private/tmp/elsewhere"));

        var fromVar = MacRun.Policy("api", "start", p => p[SeatbeltParameters.TempDirectory] = "/var/folders/xy/abc/T/capakit-run-1");
        Assert.IsTrue(fromVar.MayWriteFile("/private/var/folders/xy/abc/T/capakit-run-1/x"));
        Assert.IsFalse(fromVar.MayWriteFile("/private/var/folders/xy/abc/T/other"));
    }

    [TestMethod]
    [DynamicData(nameof(AllPhases))]
    public void ProfileHasNoKnownEscapesAndNoSymlinkSpelledPaths(string workload, string phase)
    {
        SbplLint.AssertClean(MacRun.Profile(workload, phase));
        var policy = MacRun.Policy(workload, phase);
        foreach (var name in SbplLint.LaunchServicesNames)
        {
            Assert.IsFalse(policy.MayLookupMach(name), name);
        }
    }

    [TestMethod]
    public void ReadOnlyMountIsReadableButNotWritable()
    {
        var web = MacRun.Policy("web", "start");
        var page = MacRun.DocsMount + "/help/index.md";
        Assert.IsTrue(web.MayReadFile(page));
        Assert.IsTrue(web.MayListDirectory(MacRun.DocsMount));
        Assert.IsFalse(web.MayWriteFile(page));
        Assert.IsFalse(web.MayCreateFile(MacRun.DocsMount + "/new.md"));
        Assert.IsFalse(web.MayDeleteFile(page));
    }

    [TestMethod]
    public void ReadWriteMountIsReadableAndWritable()
    {
        var api = MacRun.Policy("api", "start");
        var file = MacRun.DataMount + "/todos.json";
        Assert.IsTrue(api.MayReadFile(file));
        Assert.IsTrue(api.MayWriteFile(file));
        Assert.IsTrue(api.MayCreateFile(MacRun.DataMount + "/todos.json.tmp"));
        Assert.IsTrue(api.MayDeleteFile(file));
    }

    [TestMethod]
    public void UndeclaredMountsAreClosed()
    {
        // docs is bound for the run, but only web declares it.
        var api = MacRun.Policy("api", "start");
        Assert.IsFalse(api.MayReadFile(MacRun.DocsMount + "/help/index.md"));
        Assert.DoesNotContain(SeatbeltParameters.Mount("docs"), api.Profile.Parameters);
        var web = MacRun.Policy("web", "start");
        Assert.IsFalse(web.MayReadFile(MacRun.DataMount + "/todos.json"));
    }

    [TestMethod]
    public void DeclaredPeerAndBridgeAreReachableButNoOtherSocket()
    {
        var web = MacRun.Policy("web", "start");
        Assert.IsTrue(web.MayConnectUnixSocket(MacRun.WebToApiSocket));
        Assert.IsTrue(web.MayConnectUnixSocket(MacRun.Bridge("web")));
        Assert.IsFalse(web.MayConnectUnixSocket(MacRun.Ingress("api")), "the peer's own ingress, bypassing the proxy");
        Assert.IsFalse(web.MayConnectUnixSocket(MacRun.Bridge("api")), "another workload's bridge");

        var api = MacRun.Policy("api", "start");
        Assert.IsFalse(api.MayConnectUnixSocket(MacRun.ApiToWebSocket), "api declares no connection to web");
        Assert.IsFalse(api.MayConnectUnixSocket("/private/var/run/docker.sock"));
        Assert.IsFalse(api.MayConnectUnixSocket("/var/run/docker.sock"));
        Assert.IsFalse(api.MayConnectUnixSocket(MacRun.EgressSocket), "no egress proxy outside the registry phase");
    }

    [TestMethod]
    public void WorkloadMayListenOnItsIngressOnly()
    {
        var api = MacRun.Policy("api", "start");
        Assert.IsTrue(api.MayBindUnixSocket(MacRun.Ingress("api")));
        Assert.IsTrue(api.MayAcceptOnUnixSocket(MacRun.Ingress("api")));
        Assert.IsFalse(api.MayBindUnixSocket(MacRun.Sockets + "/other.sock"));
        Assert.IsFalse(api.MayBindUnixSocket(MacRun.Ingress("web")));
        Assert.IsFalse(api.MayBindIp("localhost", 3000));
        Assert.IsFalse(api.MayBindIp("*", 8080));
        Assert.IsTrue(api.MayCreateSocket("AF_UNIX"));
    }

    [TestMethod]
    public void StartPhaseHasNoIpNetwork()
    {
        foreach (var workload in new[] { "api", "web" })
        {
            var policy = MacRun.Policy(workload, "start");
            Assert.IsFalse(policy.MayConnectIp("localhost", 5432), workload);
            Assert.IsFalse(policy.MayConnectIp("127.0.0.1", 6379), workload);
            Assert.IsFalse(policy.MayConnectIp("registry.npmjs.org", 443), workload);
            Assert.IsFalse(policy.MayConnectUnixSocket("/private/var/run/mDNSResponder"), workload);
            Assert.IsFalse(policy.MayLookupMach("com.apple.dnssd.service"), workload);
            Assert.IsFalse(policy.MayReadFile("/private/etc/resolv.conf"), workload);
        }
    }

    [TestMethod]
    public void RegistryPhaseReachesTheEgressProxyOnly()
    {
        var api = MacRun.Policy("api", "prepare");
        Assert.IsTrue(api.MayConnectUnixSocket(MacRun.EgressSocket));
        Assert.IsFalse(api.MayConnectIp("registry.npmjs.org", 443));
        Assert.IsFalse(api.MayConnectIp("localhost", 5432));
        Assert.IsFalse(api.MayConnectIp("localhost", 8080));
        Assert.IsFalse(api.MayConnectUnixSocket("/private/var/run/mDNSResponder"));
        Assert.IsFalse(api.MayLookupMach("com.apple.trustd"));
        Assert.Contains(SeatbeltParameters.EgressProxySocket, api.Profile.Parameters);
        Assert.DoesNotContain(SeatbeltParameters.EgressProxySocket, MacRun.Policy("api", "start").Profile.Parameters);
    }

    [TestMethod]
    public void FullNetworkPhaseMayConnectOutAndResolveNames()
    {
        var web = MacRun.Policy("web", "hydrate");
        Assert.IsTrue(web.MayConnectIp("registry.npmjs.org", 443));
        Assert.IsTrue(web.MayConnectIp("example.com", 80));
        Assert.IsTrue(web.MayConnectUnixSocket("/private/var/run/mDNSResponder"));
        Assert.IsTrue(web.MayConnectUnixSocket("/var/run/mDNSResponder"));
        Assert.IsTrue(web.MayLookupMach("com.apple.dnssd.service"));
        Assert.IsTrue(web.MayLookupMach("com.apple.SystemConfiguration.DNSConfiguration"));
        Assert.IsTrue(web.MayLookupMach("com.apple.trustd"));
        Assert.IsTrue(web.MayLookupMach("com.apple.ocspd"));
        Assert.IsTrue(web.MayLookupMach("com.apple.trustd.agent"));
        Assert.IsTrue(web.MayLookupMach("com.apple.SecurityServer"));
        Assert.IsTrue(web.MayLookupMach("com.apple.SystemConfiguration.configd"));
        Assert.IsTrue(web.MayReadFile("/etc/hosts"));
        Assert.IsTrue(web.MayReadFile("/etc/resolv.conf"));
        Assert.IsTrue(web.MayReadFile("/private/var/run/resolv.conf"));
        Assert.IsTrue(web.MayReadFile("/etc/services"));
        Assert.IsTrue(web.MayReadFile("/etc/protocols"));
        Assert.IsFalse(web.MayReadFile("/etc/master.passwd"));
        // Full network is outbound only: still no listening on IP, still no undeclared unix sockets.
        Assert.IsFalse(web.MayBindIp("localhost", 3000));
        Assert.IsFalse(web.MayConnectUnixSocket("/private/var/run/docker.sock"));
    }

    [TestMethod]
    public void SysctlsAreReadableByNameAndNeverWritable()
    {
        var api = MacRun.Policy("api", "start");
        foreach (var name in new[] { "hw.ncpu", "hw.memsize", "hw.pagesize", "hw.optional.arm64", "kern.osrelease", "kern.osversion", "machdep.cpu.brand_string", "hw.model" })
        {
            Assert.IsTrue(api.MayReadSysctl(name), name);
        }
        Assert.IsFalse(api.MayReadSysctl("kern.proc.all"));
        Assert.IsFalse(api.MayReadSysctl("security.mac.sandbox.sentinel"));
        Assert.IsFalse(api.MayWriteSysctl("kern.maxfiles"));
        Assert.IsFalse(api.MayWriteSysctl("hw.ncpu"));
    }

    [TestMethod]
    public void MachLookupsAreTheListedServicesOnly()
    {
        var api = MacRun.Policy("api", "start");
        Assert.IsTrue(api.MayLookupMach("com.apple.system.opendirectoryd.libinfo"));
        Assert.IsTrue(api.MayLookupMach("com.apple.cfprefsd.daemon"));
        Assert.IsTrue(api.MayLookupMach("com.apple.cfprefsd.agent"));
        Assert.IsFalse(api.MayLookupMach("com.apple.lsd.mapdb"));
        Assert.IsFalse(api.MayLookupMach("com.apple.pasteboard.1"));
        Assert.IsFalse(api.MayLookupMach("com.apple.SecurityServer"));
        Assert.IsFalse(api.MayLookupMach("com.apple.windowserver.active"));
    }

    [TestMethod]
    public void ProcessesStayInsideTheSandbox()
    {
        var api = MacRun.Policy("api", "start");
        Assert.IsTrue(api.MayFork());
        Assert.IsTrue(api.MaySignal("same-sandbox"));
        Assert.IsFalse(api.MaySignal("others"));
        Assert.IsTrue(api.MayInspectProcess("self"));
        Assert.IsFalse(api.MayInspectProcess("same-sandbox"));
        Assert.IsFalse(api.MayInspectProcess("others"));
        Assert.IsTrue(api.MayUsePosixSemaphores());
    }

    [TestMethod]
    public void BunAndSystemToolsRunButNothingElse()
    {
        var api = MacRun.Policy("api", "start");
        Assert.IsTrue(api.MayExec(MacRun.BunDir + "/bun"));
        Assert.IsTrue(api.MayReadFile(MacRun.BunDir + "/bun"));
        Assert.IsTrue(api.MayMapExecutable(MacRun.BunDir + "/bun"));
        Assert.IsFalse(api.MayWriteFile(MacRun.BunDir + "/bun"), "Bun's folder is read only");
        Assert.IsTrue(api.MayExec("/bin/sh"));
        Assert.IsTrue(api.MayExec("/usr/bin/env"));
        Assert.IsTrue(api.MayReadFile("/private/var/select/sh"), "the /bin/sh shim reads it");
        Assert.IsFalse(api.MayExec("/usr/local/bin/docker"));
        Assert.IsFalse(api.MayExec("/Applications/Safari.app/Contents/MacOS/Safari"));
        Assert.IsFalse(api.MayExec("/Users/alice/bin/deploy"));
        Assert.IsFalse(api.MayExec(MacRun.DataMount + "/script"), "mounts hold data, not programs");
    }

    [TestMethod]
    public void SystemLibrariesAndDevicesAreAvailable()
    {
        var api = MacRun.Policy("api", "start");
        Assert.IsTrue(api.MayReadFile("/usr/lib/libSystem.B.dylib"));
        Assert.IsTrue(api.MayMapExecutable("/usr/lib/libSystem.B.dylib"));
        Assert.IsTrue(api.MayMapExecutable("/System/Library/Frameworks/CoreFoundation.framework/CoreFoundation"));
        Assert.IsTrue(api.MayMapExecutable("/System/Volumes/Preboot/Cryptexes/OS/System/Library/dyld/dyld_shared_cache_arm64e"));
        Assert.IsTrue(api.MayReadFile("/System/Library/CoreServices/SystemVersion.plist"));
        Assert.IsTrue(api.MayReadFile("/usr/share/icu/icudt74l.dat"));
        Assert.IsTrue(api.MayReadFile("/etc/ssl/cert.pem"));
        Assert.IsTrue(api.MayReadFile("/etc/localtime"));
        Assert.IsTrue(api.MayReadFile("/private/var/db/timezone/zoneinfo/Europe/Paris"));
        Assert.IsFalse(api.MayMapExecutable("/Users/alice/Library/evil.dylib"));
        Assert.IsFalse(api.MayWriteFile("/usr/lib/libSystem.B.dylib"));
        Assert.IsFalse(api.MayReadFile("/Library/Application Support/com.apple.TCC/TCC.db"));

        Assert.IsTrue(api.MayWriteDevice("/dev/null"));
        Assert.IsTrue(api.MayReadDevice("/dev/null"));
        Assert.IsTrue(api.MayReadDevice("/dev/urandom"));
        Assert.IsTrue(api.MayReadDevice("/dev/random"));
        Assert.IsFalse(api.MayWriteDevice("/dev/urandom"));
        Assert.IsFalse(api.MayReadDevice("/dev/disk0"));
        Assert.IsFalse(api.MayWriteDevice("/dev/ttys000"));
    }

    [TestMethod]
    public void HomeKeepsBunsCacheWritableWhereverTheRuntimePutsIt()
    {
        var inRoot = MacRun.Policy("api", "prepare");
        Assert.IsTrue(inRoot.MayCreateFile(TodoKit.ApiRoot + "/.capakit/home/.bun/install/cache/react@19/index.js"));

        // HOME counts on its own, so the cache stays writable if the runtime moves it out of the root.
        var stateDir = "/Users/alice/Library/Caches/capakit/todo/api/home";
        var moved = MacRun.Policy("api", "prepare", p => p[SeatbeltParameters.Home] = stateDir);
        Assert.IsTrue(moved.MayCreateFile(stateDir + "/.bun/install/cache/react@19/index.js"));
        Assert.IsFalse(moved.MayReadFile("/Users/alice/Library/Caches/capakit/todo/web/home/.npmrc"));
        Assert.IsFalse(moved.MayReadFile("/Users/alice/.ssh/id_rsa"));
    }

    [TestMethod]
    public void HeaderDocumentsExactlyTheParametersTheProfileReads()
    {
        foreach (var args in AllPhases())
        {
            var (workload, phase) = ((string)args[0], (string)args[1]);
            var text = MacRun.Profile(workload, phase);
            var documented = text.Split('\n')
                .Where(l => l.StartsWith(";   ", StringComparison.Ordinal))
                .Select(l => l[4..].Split(' ')[0])
                .ToHashSet(StringComparer.Ordinal);
            var read = SbplProfile.Parse(text).Parameters;
            Assert.IsTrue(documented.SetEquals(read), $"{workload}.{phase}: documented {string.Join(",", documented)}; read {string.Join(",", read)}");
        }
        var web = SbplProfile.Parse(MacRun.Profile("web", "start")).Parameters;
        CollectionAssert.AreEquivalent(
            new[] { "BRIDGE_SOCKET", "BUN_DIR", "CONNECTION_API_SOCKET", "HOME", "INGRESS_SOCKET", "MOUNT_DOCS", "TMPDIR", "WORKLOAD_ROOT" },
            web.ToArray());
    }

    [TestMethod]
    public void ParameterNamesAreUppercasedWithUnderscores()
    {
        Assert.AreEqual("CONNECTION_AUTH_SERVICE_SOCKET", SeatbeltParameters.ConnectionSocket("auth-service"));
        Assert.AreEqual("MOUNT_USER_FILES", SeatbeltParameters.Mount("user-files"));
        var kit = TodoKit.Build();
        var workload = kit.Workloads["web"] with
        {
            Connections = ["auth-service"],
            Mounts = [new WorkloadMountModel { Mount = "user-files", Access = "read_only" }],
        };
        var parameters = SbplProfile.Parse(SeatbeltProfileWriter.Write(kit, workload, "start")).Parameters;
        Assert.Contains("CONNECTION_AUTH_SERVICE_SOCKET", parameters);
        Assert.Contains("MOUNT_USER_FILES", parameters);
    }

    [TestMethod]
    public void NamesThatShareAParameterAreRefused()
    {
        var kit = TodoKit.Build();
        var workload = kit.Workloads["web"] with
        {
            Mounts = [new WorkloadMountModel { Mount = "user-files", Access = "read_only" }, new WorkloadMountModel { Mount = "user_files", Access = "read_write" }],
        };
        Assert.ThrowsExactly<ArgumentException>(() => SeatbeltProfileWriter.Write(kit, workload, "start"));
    }

    [TestMethod]
    public void UnknownPhaseNetworkOrAccessIsRefused()
    {
        var kit = TodoKit.Build();
        Assert.ThrowsExactly<ArgumentException>(() => SeatbeltProfileWriter.Write(kit, kit.Workloads["api"], "hydrate"));
        var oddNetwork = kit.Workloads["api"] with { Phases = new(StringComparer.Ordinal) { ["start"] = kit.Workloads["api"].Phases["start"] with { Network = "loopback" } } };
        Assert.ThrowsExactly<ArgumentException>(() => SeatbeltProfileWriter.Write(kit, oddNetwork, "start"));
        var oddAccess = kit.Workloads["api"] with { Mounts = [new WorkloadMountModel { Mount = "data", Access = "append" }] };
        Assert.ThrowsExactly<ArgumentException>(() => SeatbeltProfileWriter.Write(kit, oddAccess, "start"));
    }

    [TestMethod]
    public void OutputIsDeterministicWhateverTheDeclarationOrder()
    {
        var kit = TodoKit.Build();
        var web = kit.Workloads["web"] with
        {
            Connections = ["zeta", "api", "beta"],
            Mounts = [new WorkloadMountModel { Mount = "docs", Access = "read_only" }, new WorkloadMountModel { Mount = "cache", Access = "read_write" }],
        };
        var reordered = web with { Connections = ["beta", "zeta", "api"], Mounts = [.. web.Mounts.AsEnumerable().Reverse()] };
        Assert.AreEqual(SeatbeltProfileWriter.Write(kit, web, "start"), SeatbeltProfileWriter.Write(kit, reordered, "start"));
    }

    [TestMethod]
    [DynamicData(nameof(AllPhases))]
    public void EveryRuleGroupSaysWhy(string workload, string phase)
    {
        var lines = MacRun.Profile(workload, phase).Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].StartsWith("(", StringComparison.Ordinal) && !lines[i].StartsWith("(version", StringComparison.Ordinal))
            {
                // Walk back over the rules of the same group to its first line, which must be the comment.
                var j = i - 1;
                while (j >= 0 && (lines[j].StartsWith("(", StringComparison.Ordinal) || lines[j].StartsWith("    ", StringComparison.Ordinal)))
                {
                    j--;
                }
                Assert.IsTrue(j >= 0 && lines[j].StartsWith("; ", StringComparison.Ordinal), $"line {i + 1} '{lines[i]}' has no reason above it");
            }
        }
    }
}
