using CapaKit.Tool.Tests.Support;

namespace CapaKit.Tool.Tests.Packages;

/// <summary>
/// A local folder feed, packed once for the package tests with real `dotnet pack`: the Kit package Greeter.Kit
/// (1.2.0 and 2.0.0-beta.1, package type CapaKit), Plain.Kit (the same Kit packed with another package
/// type, as any ordinary package) and the CapaKit.Sdk package the generated projects build with.
/// </summary>
internal static class KitPackageFeed
{
    public const string KitId = "Greeter.Kit";
    public const string StableVersion = "1.2.0";
    public const string PrereleaseVersion = "2.0.0-beta.1";
    public const string NotAKitId = "Plain.Kit";
    public const string Greeting = "hello from the greeter package";
    public const string RepublishedGreeting = "hello from the re-published greeter package";

    private static readonly Lazy<string> Folder = new(Create, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lazy<string> RepublishedFolder = new(CreateRepublished, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string Path => Folder.Value;

    /// <summary>Another feed with Greeter.Kit <see cref="StableVersion"/> re-published: the same version, another greeting.</summary>
    public static string RepublishedPath => RepublishedFolder.Value;

    /// <summary>
    /// A folder to run the tool in: a nuget.config with its own global packages folder and either no sources or
    /// this feed, and its own XDG cache (where Kit packages are materialized).
    /// </summary>
    public static PackageWorkspace NewWorkspace(bool feedInNuGetConfig, bool brokenFeedInNuGetConfig = false)
    {
        var root = System.IO.Path.Combine(TestMachine.Root, "pkg-" + Guid.NewGuid().ToString("N")[..8]);
        var work = System.IO.Path.Combine(root, "work");
        Directory.CreateDirectory(work);
        var sources = (feedInNuGetConfig ? $"<add key=\"kits\" value=\"{Path}\" />" : "")
            + (brokenFeedInNuGetConfig ? $"<add key=\"gone\" value=\"{System.IO.Path.Combine(root, "deleted-feed")}\" />" : "");
        File.WriteAllText(System.IO.Path.Combine(root, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config><add key="globalPackagesFolder" value="{System.IO.Path.Combine(root, "packages")}" /></config>
              <packageSources><clear />{sources}</packageSources>
            </configuration>
            """);
        return new PackageWorkspace(root, work, System.IO.Path.Combine(root, "packages"), System.IO.Path.Combine(root, "cache"));
    }

    private static string Create()
    {
        var (root, feed) = NewFeed("kit-feed");
        // The SDK marks a Kit package with the CapaKit package type by default.
        var kit = WriteKit(System.IO.Path.Combine(root, "greeter"), KitId, "");
        Pack(kit, feed, StableVersion);
        Pack(kit, feed, PrereleaseVersion);
        // A package with kit/ inside but not marked as a Kit: the project overrides the package type.
        Pack(WriteKit(System.IO.Path.Combine(root, "plain"), NotAKitId, "<PackageType>Dependency</PackageType>"), feed, "1.0.0");
        return feed;
    }

    private static string CreateRepublished()
    {
        var (root, feed) = NewFeed("kit-feed-republished");
        Pack(WriteKit(System.IO.Path.Combine(root, "greeter"), KitId, "", RepublishedGreeting), feed, StableVersion);
        return feed;
    }

    /// <summary>A feed folder holding the SDK, and beside it a nuget.config that restores from the test SDK feed.</summary>
    private static (string Root, string Feed) NewFeed(string name)
    {
        var root = System.IO.Path.Combine(TestMachine.Root, name);
        var feed = System.IO.Path.Combine(root, "feed");
        Directory.CreateDirectory(feed);
        foreach (var sdk in Directory.GetFiles(TestMachine.Feed, "CapaKit.Sdk.*.nupkg"))
        {
            File.Copy(sdk, System.IO.Path.Combine(feed, System.IO.Path.GetFileName(sdk)));
        }
        File.WriteAllText(System.IO.Path.Combine(root, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config><add key="globalPackagesFolder" value="{System.IO.Path.Combine(root, "packages")}" /></config>
              <packageSources><clear /><add key="local" value="{TestMachine.Feed}" /></packageSources>
            </configuration>
            """);
        foreach (var file in new[] { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props" })
        {
            File.WriteAllText(System.IO.Path.Combine(root, file), "<Project />\n");
        }
        return (root, feed);
    }

    private static string WriteKit(string directory, string id, string packageType, string greeting = Greeting)
    {
        var web = System.IO.Path.Combine(directory, "workloads", "web");
        Directory.CreateDirectory(web);
        var project = System.IO.Path.Combine(directory, id + ".kitproj");
        File.WriteAllText(project, $"""
            <Project Sdk="CapaKit.Sdk/{TestMachine.SdkVersion}">
              <PropertyGroup>
                <PackageId>{id}</PackageId>
                {packageType}
                <Description>Says hello over HTTP.</Description>
              </PropertyGroup>
            </Project>
            """);
        File.WriteAllText(System.IO.Path.Combine(directory, "capability.yml"), """
            version: '1'
            name: greeter
            license: Apache-2.0
            workloads:
              web:
                endpoints:
                - http
                runtime:
                  source:
                    toolchain: bun
                    prepare:
                      command: bun run prepare.ts
                    start:
                      command: bun run server.ts
            expose:
            - path: /greet
              target: web
              endpoints:
              - http
            """);
        File.WriteAllText(System.IO.Path.Combine(web, "package.json"), "{ \"name\": \"web\", \"private\": true }\n");
        // Stands in for `bun install`: the prepare phase writes into the workload root, which must be the cache copy.
        File.WriteAllText(System.IO.Path.Combine(web, "prepare.ts"), """
            import { mkdirSync, writeFileSync } from "node:fs";
            mkdirSync("node_modules", { recursive: true });
            writeFileSync("node_modules/.prepared", "prepared\n");
            """);
        File.WriteAllText(System.IO.Path.Combine(web, "server.ts"), $$"""
            const bind = process.env.CAPAKIT_RUNNER_MANAGED_INGRESS_BIND ?? "";
            Bun.serve({ unix: bind.slice("unix:".length), fetch: () => new Response("{{greeting}}") });
            console.log("greeter listening");
            """);
        return project;
    }

    private static void Pack(string project, string feed, string version) =>
        TestKit.Dotnet(System.IO.Path.GetDirectoryName(project)!, $"dotnet pack {project}", "pack", project, "-nologo", "-v:q", "-o", feed, $"-p:Version={version}");
}

/// <summary>Where one package test runs the tool: its folder, global packages folder and XDG cache.</summary>
internal sealed record PackageWorkspace(string Root, string WorkingDirectory, string GlobalPackages, string Cache)
{
    public string KitCache(string id, string version) => System.IO.Path.Combine(Cache, "capakit", "packages", id.ToLowerInvariant(), version);

    public ToolResult Run(params string[] args) => ToolProcess.Run(RunAs.Root, WorkingDirectory, args, new Dictionary<string, string>
    {
        ["XDG_CACHE_HOME"] = Cache,
        ["MSBUILDDISABLENODEREUSE"] = "1",
        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
    });
}
