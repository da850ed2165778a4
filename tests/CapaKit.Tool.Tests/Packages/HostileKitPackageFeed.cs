using CapaKit.Tool.Tests.Support;

namespace CapaKit.Tool.Tests.Packages;

/// <summary>
/// A local folder feed, packed once with real `dotnet pack`, whose Kit packages carry build logic that would run on
/// the host if anything imported it: Hostile.Kit (a working Kit plus <c>build/</c>, <c>buildTransitive/</c>, an
/// analyzer, and <c>Directory.Build.*</c>, <c>*.rsp</c>, <c>*.user</c>, <c>global.json</c>, <c>obj/</c>, <c>bin/</c>
/// inside <c>kit/</c>) and Importer.Kit (a Kit importing Hostile.Kit, with a nuspec dependency that lets every asset
/// flow, and a <c>build/</c> of its own). Each piece of build logic writes a marker (<see cref="MarkerPattern"/>) into
/// the folder of the project being built when it runs.
/// </summary>
internal static class HostileKitPackageFeed
{
    public const string HostileId = "Hostile.Kit";
    public const string ImporterId = "Importer.Kit";
    public const string Version = "1.0.0";
    public const string Greeting = "hostile kit serving";
    public const string MarkerPattern = "*.marker";

    /// <summary>What Hostile.Kit ships in <c>kit/</c> beside the Kit (relative to <c>kit/</c>): none of it may be copied.</summary>
    public static readonly IReadOnlyList<string> PlantedKitFiles =
    [
        "Directory.Build.props", "Directory.Build.targets", "Directory.Build.rsp", "Directory.Packages.props", "Hostile.Kit.kitproj.user",
        "global.json", "nuget.config", "extra.targets", "obj/Debug/capakit.bundle.stamp", "bin/Debug/kit/kit.json",
        "workloads/web/Directory.Build.props", "workloads/web/local.targets", "workloads/web/obj/planted.props",
    ];

    private static readonly Lazy<string> Folder = new(Create, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string Path => Folder.Value;

    /// <summary>
    /// A response file that would add a file logger writing <c>hostile-rsp.marker</c> into the build's working folder.
    /// MSBuild reads Directory.Build.rsp from the project's folder and every folder above it.
    /// </summary>
    public const string ResponseFile = "-fileLogger -fileLoggerParameters:LogFile=hostile-rsp.marker\n";

    /// <summary>A project file (imported or evaluated) that writes <paramref name="marker"/> next to the project being built, at restore and at build.</summary>
    public static string MarkerProject(string marker) => $$"""
        <Project InitialTargets="Write_{{marker.Replace('-', '_')}}">
          <Target Name="Write_{{marker.Replace('-', '_')}}">
            <WriteLinesToFile File="$(MSBuildProjectDirectory)/{{marker}}.marker" Lines="ran" Overwrite="true" />
          </Target>
        </Project>
        """;

    private static string Create()
    {
        var root = System.IO.Path.Combine(TestMachine.Root, "hostile-feed");
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
              <packageSources><clear /><add key="local" value="{feed}" /></packageSources>
            </configuration>
            """);
        foreach (var file in new[] { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props" })
        {
            File.WriteAllText(System.IO.Path.Combine(root, file), "<Project />\n");
        }
        Pack(WriteHostile(System.IO.Path.Combine(root, "hostile")), feed);
        Pack(WriteImporter(System.IO.Path.Combine(root, "importer")), feed);
        // The premise of every hostile test: the packages really carry their build logic where NuGet and MSBuild look.
        EnsureEntries(feed, HostileId, [$"build/{HostileId}.targets", $"buildTransitive/{HostileId}.targets", "analyzers/dotnet/cs/Hostile.Analyzer.dll",
            .. PlantedKitFiles.Select(f => "kit/" + f)]);
        EnsureEntries(feed, ImporterId, [$"build/{ImporterId}.targets"]);
        return feed;
    }

    private static string WriteHostile(string directory)
    {
        Write(directory, HostileId + ".kitproj", $"""
            <Project Sdk="CapaKit.Sdk/{TestMachine.SdkVersion}">
              <PropertyGroup><PackageId>{HostileId}</PackageId><Description>A Kit with build logic attached.</Description></PropertyGroup>
              <ItemGroup>
                <!-- payload/ mirrors the package layout (pack appends each file's folder below payload/ to the path). -->
                <None Include="payload/**/*" Pack="true" PackagePath="/" />
              </ItemGroup>
            </Project>
            """);
        Write(directory, "capability.yml", """
            version: '1'
            name: hostile
            workloads:
              web:
                endpoints:
                - http
                runtime:
                  source:
                    toolchain: bun
                    start:
                      command: bun run server.ts
            expose:
            - path: /hostile
              target: web
              endpoints:
              - http
            """);
        Write(directory, "workloads/web/package.json", "{ \"name\": \"web\", \"private\": true }\n");
        Write(directory, "workloads/web/server.ts", $$"""
            const bind = process.env.CAPAKIT_RUNNER_MANAGED_INGRESS_BIND ?? "";
            Bun.serve({ unix: bind.slice("unix:".length), fetch: () => new Response("{{Greeting}}") });
            """);
        // Inside a workload folder, packed by the SDK's workloads/** like any source.
        Write(directory, "workloads/web/Directory.Build.props", MarkerProject("hostile-workload-directory-build-props"));
        Write(directory, "workloads/web/local.targets", MarkerProject("hostile-workload-targets"));
        Write(directory, "workloads/web/obj/planted.props", MarkerProject("hostile-workload-obj"));

        Write(directory, $"payload/build/{HostileId}.targets", MarkerProject("hostile-build"));
        Write(directory, $"payload/buildTransitive/{HostileId}.targets", MarkerProject("hostile-buildtransitive"));
        // Not a real analyzer: a Kit never runs the C# compiler, so what matters is that restore does not hand it out.
        Write(directory, "payload/analyzers/dotnet/cs/Hostile.Analyzer.dll", "MZ not an analyzer\n");
        Write(directory, "payload/kit/Directory.Build.props", MarkerProject("hostile-directory-build-props"));
        Write(directory, "payload/kit/Directory.Build.targets", MarkerProject("hostile-directory-build-targets"));
        Write(directory, "payload/kit/Directory.Packages.props", MarkerProject("hostile-directory-packages-props"));
        Write(directory, "payload/kit/Directory.Build.rsp", ResponseFile);
        // `up` names its generated project <id>.kitproj; Microsoft.Common.targets imports <project>.user beside it.
        Write(directory, $"payload/kit/{HostileId}.kitproj.user", MarkerProject("hostile-user"));
        Write(directory, "payload/kit/extra.targets", MarkerProject("hostile-extra-targets"));
        // An SDK that does not exist: honoured, it would fail every dotnet command in the folder.
        Write(directory, "payload/kit/global.json", "{ \"sdk\": { \"version\": \"1.0.100\", \"rollForward\": \"disable\" } }\n");
        Write(directory, "payload/kit/nuget.config", "<configuration><packageSources><clear /><add key=\"planted\" value=\"/nonexistent-planted-feed\" /></packageSources></configuration>\n");
        // A planted build stamp and bundle: taken for a fresh build, the runtime would run the package's own policies.
        Write(directory, "payload/kit/obj/Debug/capakit.bundle.stamp", "");
        Write(directory, "payload/kit/bin/Debug/kit/kit.json", "{ \"planted\": true }\n");
        return System.IO.Path.Combine(directory, HostileId + ".kitproj");
    }

    private static string WriteImporter(string directory)
    {
        // ExcludeAssets and PrivateAssets "none": the nuspec dependency then lets every asset of Hostile.Kit flow to
        // whoever references Importer.Kit (this pack's own build runs them, in this folder, which no test looks at).
        Write(directory, ImporterId + ".kitproj", $"""
            <Project Sdk="CapaKit.Sdk/{TestMachine.SdkVersion}">
              <PropertyGroup><PackageId>{ImporterId}</PackageId><Description>Imports Hostile.Kit.</Description></PropertyGroup>
              <ItemGroup>
                <PackageReference Include="{HostileId}" Version="{Version}" ExcludeAssets="none" PrivateAssets="none" />
                <None Include="payload/**/*" Pack="true" PackagePath="/" />
              </ItemGroup>
            </Project>
            """);
        Write(directory, "capability.yml", $"""
            version: '1'
            name: importer
            dependencies:
              h:
                source:
                  package: {HostileId}
            workloads:
              front:
                import:
                  dependency: h
                  exposed_path: /hostile
            expose:
            - path: /hostile
              target: front
              endpoints:
              - http
            """);
        Write(directory, $"payload/build/{ImporterId}.targets", MarkerProject("importer-build"));
        return System.IO.Path.Combine(directory, ImporterId + ".kitproj");
    }

    private static void EnsureEntries(string feed, string id, IEnumerable<string> entries)
    {
        using var package = System.IO.Compression.ZipFile.OpenRead(System.IO.Path.Combine(feed, $"{id}.{Version}.nupkg"));
        var missing = entries.Where(e => package.GetEntry(e) is null).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException($"{id} was packed without {string.Join(", ", missing)}; it has {string.Join(", ", package.Entries.Select(e => e.FullName))}");
        }
    }

    private static void Write(string directory, string relative, string content)
    {
        var path = System.IO.Path.Combine(directory, relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    private static void Pack(string project, string feed) =>
        TestKit.Dotnet(System.IO.Path.GetDirectoryName(project)!, $"dotnet pack {project}", "pack", project, "-nologo", "-v:q", "-o", feed, $"-p:Version={Version}");
}
