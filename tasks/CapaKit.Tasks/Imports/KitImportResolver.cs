using CapaKit.Bundle;
using CapaKit.Tasks.Compilation;
using CapaKit.Tasks.Diagnostics;
using CapaKit.Tasks.Manifest;

namespace CapaKit.Tasks.Imports;

/// <summary>
/// Resolves a Kit's <c>dependencies</c> (packages through the restore, local Kits through project references), compiles
/// each imported Kit — its own imports first — and merges it into the importer's bundle under its alias.
/// </summary>
internal sealed class KitImportResolver
{
    private readonly KitReferenceInputs _inputs;
    private readonly DiagnosticBag _diagnostics;
    private readonly string _compilerVersion;
    private readonly Lazy<RestoredPackages> _packages;
    private readonly List<string> _inputFiles = [];
    private readonly List<(string Alias, string PackageId, string? Version)> _packedImports = [];
    /// <summary>Kit projects imported so far → the alias path of that import: a project's workloads run from its own folder, so once.</summary>
    private readonly Dictionary<string, string> _importedProjects = new(StringComparer.Ordinal);

    public KitImportResolver(KitReferenceInputs inputs, DiagnosticBag diagnostics, string compilerVersion)
    {
        _inputs = inputs;
        _diagnostics = diagnostics;
        _compilerVersion = compilerVersion;
        _packages = new(() => inputs.AssetsFile is { } assets && File.Exists(assets) ? RestoredPackages.Read(assets) : RestoredPackages.Empty);
    }

    /// <summary>Manifests of imported Kits read by this build: a change to one must rebuild the bundle.</summary>
    public IReadOnlyList<string> InputFiles => _inputFiles;

    /// <summary>The root Kit's path imports and the package each becomes when the root Kit is packed.</summary>
    public IReadOnlyList<(string Alias, string PackageId, string? Version)> PackedImports => _packedImports;

    public void ImportAll(KitBundle bundle, KitManifest manifest, KitSource source) =>
        ImportAll(bundle, manifest, source, [source], aliasPath: "");

    private void ImportAll(KitBundle bundle, KitManifest manifest, KitSource source, List<KitSource> chain, string aliasPath)
    {
        var imported = new Dictionary<string, KitBundle>(StringComparer.Ordinal);
        foreach (var dependency in manifest.Dependencies)
        {
            var alias = dependency.Alias.Value;
            var child = Resolve(dependency, source);
            if (child is null)
            {
                continue;
            }
            if (chain.FirstOrDefault(c => c.Identity == child.Identity) is { } repeated)
            {
                var cycle = string.Join(" → ", chain.SkipWhile(c => c != repeated).Select(c => c.ToString()).Append(child.ToString()));
                _diagnostics.Error(DiagnosticCodes.ImportCycle,
                    $"Dependency '{alias}' makes an import cycle ({cycle}); a Kit cannot import itself, directly or through others, so remove one of these imports.",
                    dependency.Alias.Location);
                continue;
            }

            if (child.Kind == KitSourceKind.Project)
            {
                if (_importedProjects.TryGetValue(child.Identity, out var first))
                {
                    _diagnostics.Error(DiagnosticCodes.ProjectImportedTwice,
                        $"Dependency '{alias}' imports {child}, which this Kit already imports as '{first}'; a Kit project's workloads run from its own folder, so import it once (connect to that import) or pack it and import the package twice.",
                        dependency.Alias.Location);
                    continue;
                }
                _importedProjects[child.Identity] = aliasPath + alias;
            }

            var errorsBefore = _diagnostics.Items.Count(d => d.IsError);
            _inputFiles.Add(child.ManifestFile);
            if (child.ProjectFile is { } childProject)
            {
                // Its package id and version are recorded (imports.json, kit.json): an edit there makes the bundle stale too.
                _inputFiles.Add(childProject);
            }
            var childManifest = ManifestLoader.LoadFile(child.ManifestFile, _diagnostics);
            if (childManifest is null)
            {
                continue;
            }
            ManifestValidator.Validate(childManifest, _diagnostics);
            if (child.Kind == KitSourceKind.Package)
            {
                // The build's own folder (never a shared one: these are read-write workload roots); chain[0] is the root Kit.
                var importsDirectory = _inputs.ImportsDirectory ?? Path.Combine(Path.GetDirectoryName(chain[0].ManifestFile)!, "obj", "capakit-imports");
                child = child with { KitDirectory = Path.Combine(importsDirectory, aliasPath + alias) };
                CopyPackageSources(child, dependency);
            }
            KitCompiler.CheckWorkloadRoots(childManifest, child.KitDirectory, _diagnostics);
            if (_diagnostics.Items.Count(d => d.IsError) > errorsBefore)
            {
                continue;
            }

            var childBundle = KitModelBuilder.Build(childManifest, _compilerVersion, child.ProjectFile, kitDirectory: child.KitDirectory);
            ImportAll(childBundle, childManifest, child, [.. chain, child], aliasPath + alias + ".");
            if (_diagnostics.Items.Count(d => d.IsError) > errorsBefore)
            {
                continue;
            }
            if (KitImportMerger.Merge(bundle, dependency, childBundle, child, _diagnostics))
            {
                imported[alias] = childBundle;
            }
        }
        KitImportMerger.ResolveImportWorkloads(bundle, manifest, imported, _diagnostics);
    }

    /// <summary>A package Kit's workload sources into this build's copy, reporting what was left out or replaced.</summary>
    private void CopyPackageSources(KitSource child, DependencyDecl dependency)
    {
        PackageSourceCopyResult copy;
        try
        {
            copy = PackageSourceCopy.Sync(Path.Combine(child.PackageFolder!, PackageKitLayout.KitFolder), child.KitDirectory);
        }
        catch (IOException e)
        {
            _diagnostics.Error(DiagnosticCodes.PackageCopyFailed, $"Kit {child} could not be copied to {child.KitDirectory}: {e.Message}", dependency.Alias.Location);
            return;
        }
        if (copy.LeftOut.Count > 0)
        {
            _diagnostics.Warning(DiagnosticCodes.PackageFilesLeftOut,
                $"Kit {child} ships files that are not part of a Kit and could change how it builds here ({string.Join(", ", copy.LeftOut.Take(5))}{(copy.LeftOut.Count > 5 ? $" and {copy.LeftOut.Count - 5} more" : "")}); they were left out.",
                dependency.Alias.Location);
        }
        foreach (var link in copy.ReplacedLinks)
        {
            _diagnostics.Warning(DiagnosticCodes.PlantedLinkReplaced,
                $"{link} was a symbolic link (a workload can plant one in its folder); it was removed, not followed, and the package's file written in its place.",
                dependency.Alias.Location);
        }
    }

    private KitSource? Resolve(DependencyDecl dependency, KitSource importer)
    {
        var alias = dependency.Alias.Value;
        if (dependency.Package is { } package)
        {
            return ResolvePackage(package.Value, dependency, importer);
        }
        if (dependency.Path is not { } path)
        {
            return null;
        }
        // A packed Kit (a package, or a package unpacked by `dotnet capakit up <PackageId>`) keeps imports.json beside its
        // manifest: pack turned each ProjectReference into a package dependency, and the file says which alias it was.
        if (importer.Kind != KitSourceKind.Project)
        {
            if (ReadImports(Path.Combine(Path.GetDirectoryName(importer.ManifestFile)!, PackageKitLayout.ImportsFileName), path.Location) is not { } packed)
            {
                return null;
            }
            if (packed.TryGetValue(alias, out var packageId))
            {
                return ResolvePackage(packageId, dependency, importer);
            }
            if (importer.Kind == KitSourceKind.Package)
            {
                _diagnostics.Error(DiagnosticCodes.NotAKit,
                    $"Kit {importer} imports '{alias}' from the path '{path.Value}', which a package cannot carry, and its kit/imports.json does not say which package that became; repack it with this CapaKit.Sdk.",
                    path.Location);
                return null;
            }
        }

        var target = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(importer.ManifestFile)!, path.Value));
        var projectFile = target.EndsWith(".kitproj", StringComparison.OrdinalIgnoreCase) && File.Exists(target) ? target
            : Directory.Exists(target) ? Directory.EnumerateFiles(target, "*.kitproj").Order(StringComparer.Ordinal).ToList() switch
            {
                [var single] => single,
                _ => null,
            }
            : null;
        if (projectFile is null)
        {
            _diagnostics.Error(DiagnosticCodes.NotAKit,
                $"Dependency '{alias}' points at '{path.Value}', which is not a .kitproj nor a folder holding exactly one; point 'path' at the imported Kit's .kitproj.",
                path.Location);
            return null;
        }

        var reference = _inputs.ProjectReferences.FirstOrDefault(r => SamePath(r.ProjectFile, projectFile));
        if (importer.Kind == KitSourceKind.Root)
        {
            if (reference is null)
            {
                var project = _inputs.ProjectFile ?? "<this .kitproj>";
                _diagnostics.Error(DiagnosticCodes.MissingKitProjectReference,
                    $"Dependency '{alias}' imports the Kit project '{Path.GetRelativePath(Path.GetDirectoryName(importer.ManifestFile)!, projectFile)}', which this project does not reference; add it with: dotnet add \"{project}\" reference \"{projectFile}\"",
                    path.Location);
                return null;
            }
            if (reference.PackageId is { Length: > 0 } packageId)
            {
                _packedImports.Add((alias, packageId, reference.PackageVersion));
            }
        }
        var source = ProjectSource(projectFile, reference, reference?.PackageId, reference?.PackageVersion);
        if (!File.Exists(source.ManifestFile))
        {
            _diagnostics.Error(DiagnosticCodes.NotAKit,
                $"Dependency '{alias}' imports '{projectFile}', which has no capability.yml next to it; a Kit project is a .kitproj with its manifest.",
                path.Location);
            return null;
        }
        return source;
    }

    /// <summary>A Kit project: its manifest is what the project says (<c>CapaKitManifest</c>), else capability.yml beside it.</summary>
    private static KitSource ProjectSource(string projectFile, KitProjectReference? reference, string? packageId, string? version)
    {
        var manifestFile = Path.GetFullPath(reference?.ManifestFile is { Length: > 0 } m ? m : Path.Combine(Path.GetDirectoryName(projectFile)!, "capability.yml"));
        return new KitSource
        {
            Kind = KitSourceKind.Project,
            ManifestFile = manifestFile,
            KitDirectory = Path.GetDirectoryName(manifestFile)!,
            ProjectFile = projectFile,
            PackageId = packageId,
            Version = version,
        };
    }

    private KitSource? ResolvePackage(string packageId, DependencyDecl dependency, KitSource importer)
    {
        var alias = dependency.Alias.Value;
        var at = (SourceLocation?)dependency.Package?.Location ?? dependency.Path!.Location;
        // A package Kit's nuspec is read once: what it depends on, and the version range it accepts.
        string? range = null;
        if (importer.Kind == KitSourceKind.Package && !NuspecDependencies.Read(importer.PackageFolder!).TryGetValue(packageId, out range))
        {
            // A package Kit imports only what its package depends on, at a version its nuspec accepts.
            _diagnostics.Error(DiagnosticCodes.MissingKitPackageReference,
                $"Kit {importer} imports the package '{packageId}', which its nuspec does not depend on; repack it with a PackageReference (or ProjectReference) to that Kit.",
                at);
            return null;
        }
        var restored = _packages.Value.Find(packageId);
        if (restored is null)
        {
            var fix = importer.Kind == KitSourceKind.Package
                ? $"Kit {importer} imports the package '{packageId}', which the restore did not bring; add it with: dotnet add \"{_inputs.ProjectFile ?? "<this .kitproj>"}\" package {packageId}"
                : $"Dependency '{alias}' names the package '{packageId}', which {(importer.Kind == KitSourceKind.Root ? "this project" : $"Kit {importer}")} does not reference; add it with: dotnet add \"{(importer.Kind == KitSourceKind.Root ? _inputs.ProjectFile : importer.ProjectFile) ?? "<this .kitproj>"}\" package {packageId}";
            _diagnostics.Error(DiagnosticCodes.MissingKitPackageReference, fix, at);
            return null;
        }

        if (range is not null && !NuGetVersionRange.Contains(range, restored.Version))
        {
            _diagnostics.Error(DiagnosticCodes.KitVersionConflict,
                $"Kit {importer} needs {packageId} {range}, but the import graph resolved {packageId} {restored.Version}; reference a version both accept (dotnet add package {packageId} --version ...).",
                at);
            return null;
        }

        if (restored.ProjectFile is { } projectFile)
        {
            // The restore unified the package with a referenced project of the same id: import that project.
            return ProjectSource(projectFile, _inputs.ProjectReferences.FirstOrDefault(r => SamePath(r.ProjectFile, projectFile)), restored.Id, restored.Version);
        }

        var manifest = Path.Combine(restored.Folder!, PackageKitLayout.ManifestFile);
        if (!File.Exists(manifest))
        {
            _diagnostics.Error(DiagnosticCodes.NotAKit,
                $"Dependency '{alias}' names the package '{restored.Id}' {restored.Version}, which is not a Kit (it has no {PackageKitLayout.ManifestFile}); name a package made by dotnet pack of a .kitproj.",
                at);
            return null;
        }
        return new KitSource
        {
            Kind = KitSourceKind.Package,
            ManifestFile = manifest,
            KitDirectory = Path.Combine(restored.Folder!, PackageKitLayout.KitFolder),
            PackageId = restored.Id,
            Version = restored.Version,
            PackageFolder = restored.Folder,
        };
    }

    private IReadOnlyDictionary<string, string>? ReadImports(string file, SourceLocation at)
    {
        try
        {
            return Imports.PackedImports.ReadFile(file);
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            _diagnostics.Error(DiagnosticCodes.NotAKit, $"{e.Message} The Kit was not packed by CapaKit.Sdk, or was changed after; repack it.", at);
            return null;
        }
    }

    // Case matters on Linux only; macOS and Windows file systems ignore it by default.
    private static bool SamePath(string a, string b) =>
        string.Equals(Path.GetFullPath(a), Path.GetFullPath(b), OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase);
}
