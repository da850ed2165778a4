using System.Text.Json;

namespace CapaKit.Bundle;

/// <summary>Names and paths of the kit bundle format (see docs/bundle-format.md).</summary>
public static class BundleFormat
{
    /// <remarks>
    /// 2: imported Kits (absolute roots, connection names, workload aliases). 3: a phase's <c>registries</c> is the install
    /// allowlist (before, the runtime widened it from the workload's .npmrc and bunfig.toml).
    /// </remarks>
    public const int CurrentVersion = 3;

    public const string ModelFile = "kit.json";
    public const string TestsFile = "tests.json";
    public const string PoliciesFolder = "policies";
    public const string CertificatesFolder = "certs";
    public const string CaCertificateFile = "certs/ca.pem";
    public const string CaKeyFile = "certs/ca.key";

    public static readonly IReadOnlyList<string> Phases = ["prepare", "hydrate", "start"];
    public static readonly IReadOnlyList<string> EndpointProtocols = ["mcp", "oaic", "http", "a2a"];

    public static string TrustDomain(string kitName) => $"{kitName}.capakit.local";
    public static string SpiffeId(string kitName, string workload) => $"spiffe://{TrustDomain(kitName)}/{workload}";
    public static string SeatbeltProfile(string workload, string phase) => $"{PoliciesFolder}/{workload}.{phase}.sb";
    public static string LinuxSpec(string workload, string phase) => $"{PoliciesFolder}/{workload}.{phase}.linux.json";
    public static string WorkloadCertificate(string workload) => $"{CertificatesFolder}/{workload}.pem";
    public static string WorkloadKey(string workload) => $"{CertificatesFolder}/{workload}.key";

    // Bundle files are read by people too: keep ' and non-ASCII text as written instead of \u escapes.
    private static readonly BundleJsonContext Writer = new(new JsonSerializerOptions(BundleJsonContext.Default.Options)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    public static string Serialize(KitBundle bundle) => JsonSerializer.Serialize(bundle, Writer.KitBundle) + "\n";
    public static string Serialize(LinuxSandboxSpec spec) => JsonSerializer.Serialize(spec, Writer.LinuxSandboxSpec) + "\n";
    public static string Serialize(KitTests tests) => JsonSerializer.Serialize(tests, Writer.KitTests) + "\n";

    /// <summary>The Kit's compiled tests, or an empty list when it has no capability-test.yml.</summary>
    public static KitTests ReadTests(string bundleDirectory)
    {
        var path = Path.Combine(bundleDirectory, TestsFile);
        if (!File.Exists(path))
        {
            return new KitTests();
        }
        using var stream = File.OpenRead(path);
        return JsonSerializer.Deserialize(stream, BundleJsonContext.Default.KitTests) ?? new KitTests();
    }

    /// <summary>Reads a bundle's <c>kit.json</c>, refusing a format version this build does not know.</summary>
    public static KitBundle ReadModel(string bundleDirectory)
    {
        var path = Path.Combine(bundleDirectory, ModelFile);
        using var stream = File.OpenRead(path);
        var bundle = JsonSerializer.Deserialize(stream, BundleJsonContext.Default.KitBundle)
            ?? throw new InvalidDataException($"{path} is empty.");
        if (bundle.BundleVersion != CurrentVersion)
        {
            throw new InvalidDataException(
                $"{path} has bundle format {bundle.BundleVersion}, but this CapaKit reads format {CurrentVersion}; rebuild the Kit with a matching CapaKit.Sdk.");
        }
        return bundle;
    }

    public static LinuxSandboxSpec ReadLinuxSpec(string path)
    {
        using var stream = File.OpenRead(path);
        return JsonSerializer.Deserialize(stream, BundleJsonContext.Default.LinuxSandboxSpec)
            ?? throw new InvalidDataException($"{path} is empty.");
    }
}
