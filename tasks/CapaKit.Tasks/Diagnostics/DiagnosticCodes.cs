namespace CapaKit.Tasks.Diagnostics;

/// <summary>
/// Every CAPA code the compiler reports. docs/errors.md explains each one; keep the two in step
/// (a test checks that every code here has a section there).
/// </summary>
public static class DiagnosticCodes
{
    // Reading the manifest.
    public const string YamlSyntax = "CAPA0001";
    public const string ManifestMissing = "CAPA0002";
    public const string WrongNodeType = "CAPA0003";
    public const string UnknownKey = "CAPA0004";
    public const string MissingKey = "CAPA0005";
    public const string UnsupportedVersion = "CAPA0006";
    public const string WorkloadRootMissing = "CAPA0007";

    // Names.
    public const string UnsafeName = "CAPA0100";

    // Options.
    public const string BadOptionKind = "CAPA0101";
    public const string OptionDefaultWrongKind = "CAPA0102";
    public const string OptionEnumInvalid = "CAPA0103";
    public const string UnknownOption = "CAPA0104";

    // Mounts.
    public const string BadAccess = "CAPA0110";
    public const string UndeclaredMount = "CAPA0130";
    public const string MountAccessWiderThanHost = "CAPA0131";

    // Connections.
    public const string UnknownConnection = "CAPA0120";
    public const string SelfConnection = "CAPA0121";
    public const string ConnectionCycle = "CAPA0122";

    // Secrets.
    public const string UndeclaredSecret = "CAPA0140";

    // Runtime and phases.
    public const string UnsupportedToolchain = "CAPA0150";
    public const string MissingStartCommand = "CAPA0151";
    public const string NoRuntime = "CAPA0152";
    public const string RuntimeAndImport = "CAPA0153";
    public const string ImportWorkloadKeys = "CAPA0154";
    public const string BadEnvName = "CAPA0155";
    public const string BadNetwork = "CAPA0156";
    public const string BadTimeout = "CAPA0157";
    public const string EmptyCommand = "CAPA0158";
    public const string BadRestart = "CAPA0159";
    public const string BadRegistry = "CAPA0162";
    public const string RegistriesWithoutRegistryNetwork = "CAPA0163";

    // Endpoints and expose.
    public const string BadEndpointProtocol = "CAPA0160";
    public const string BadPath = "CAPA0161";
    public const string UnknownExposeTarget = "CAPA0170";
    public const string DuplicateExposePath = "CAPA0171";
    public const string ExposeEndpointNotOffered = "CAPA0172";
    public const string SeveralDefaultMcp = "CAPA0174";

    // Dependencies (Kit imports).
    public const string UnknownDependency = "CAPA0180";
    public const string UnsupportedDependencySource = "CAPA0190";
    public const string BadDependencySource = "CAPA0191";
    public const string MissingKitPackageReference = "CAPA0181";
    public const string MissingKitProjectReference = "CAPA0182";
    public const string NotAKit = "CAPA0183";
    public const string UnknownExposedPath = "CAPA0184";
    public const string UnknownImportedOption = "CAPA0185";
    public const string ImportedOptionKind = "CAPA0186";
    public const string UnknownImportedMount = "CAPA0187";
    public const string UnboundImportedMount = "CAPA0188";
    public const string ImportedMountAccess = "CAPA0189";
    public const string ImportCycle = "CAPA0192";
    public const string KitVersionConflict = "CAPA0193";
    public const string ProjectImportedTwice = "CAPA0194";

    // capability-test.yml.
    public const string TestsSyntax = "CAPA0300";
    public const string BadTest = "CAPA0301";

    // skills/<name>/SKILL.md.
    public const string SkillFrontmatterMissing = "CAPA0400";
    public const string SkillFrontmatterSyntax = "CAPA0401";
    public const string BadSkillName = "CAPA0402";
    public const string BadSkillDescription = "CAPA0403";
    public const string SkillFileMissing = "CAPA0404";

    // Copying an imported package's workload sources (the codes `dotnet capakit up <PackageId>` uses for the same).
    public const string PackageFilesLeftOut = "CAPA0534";
    public const string PlantedLinkReplaced = "CAPA0535";
    public const string PackageCopyFailed = "CAPA0536";

    // Writing the bundle.
    public const string BundleWriteFailed = "CAPA0900";

    public static readonly IReadOnlyList<string> All = typeof(DiagnosticCodes)
        .GetFields()
        .Where(f => f.IsLiteral && f.FieldType == typeof(string))
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToList();
}
