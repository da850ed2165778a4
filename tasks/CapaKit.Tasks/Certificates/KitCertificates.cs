using CapaKit.Bundle;

namespace CapaKit.Tasks.Certificates;

/// <summary>Keeps a bundle's <c>certs/</c> folder holding a valid Kit CA and one SPIFFE leaf per workload.</summary>
public static class KitCertificates
{
    /// <summary>
    /// Makes <paramref name="bundleDirectory"/>/certs hold a valid Kit CA and one leaf per workload.
    /// Files that are still valid are left untouched (byte-identical, same mtime), so a rebuild writes nothing.
    /// </summary>
    /// <returns>Absolute paths of the files written, the files deleted, and all cert/key files now present.</returns>
    public static CertificateUpdate Ensure(string bundleDirectory, string kitName, IReadOnlyCollection<string> workloads, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(bundleDirectory);
        ValidateName(kitName, nameof(kitName), "kit name");
        ArgumentNullException.ThrowIfNull(workloads);
        foreach (var workload in workloads)
        {
            ValidateName(workload, nameof(workloads), "workload name");
            // A workload called "ca" would overwrite the CA's files (any casing, for case-insensitive file systems).
            if (string.Equals(workload, "ca", StringComparison.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"Workload name '{workload}' is reserved for the Kit CA's files.", nameof(workloads));
            }
        }

        now = CertificateProfile.ToWholeSeconds(now);
        var bundle = Path.GetFullPath(bundleDirectory);
        Directory.CreateDirectory(bundle);
        var certsDirectory = BundlePath(bundle, BundleFormat.CertificatesFolder);
        SecureFiles.EnsurePrivateDirectory(certsDirectory);
        SecureFiles.RemoveTemporaries(certsDirectory);

        var written = new List<string>();
        var caCertificatePath = BundlePath(bundle, BundleFormat.CaCertificateFile);
        var caKeyPath = BundlePath(bundle, BundleFormat.CaKeyFile);
        var authority = KitAuthority.TryLoad(caCertificatePath, caKeyPath, kitName, now);
        var caRenewed = authority is null;
        if (authority is null)
        {
            authority = KitAuthority.Create(kitName, now);
            WritePair(caCertificatePath, authority.CertificatePem, caKeyPath, authority.KeyPem, written);
        }
        else
        {
            SecureFiles.EnsurePrivateFile(caKeyPath);
        }

        var names = workloads.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var files = new List<string> { caCertificatePath, caKeyPath };
        using (authority)
        {
            foreach (var workload in names)
            {
                var certificatePath = BundlePath(bundle, BundleFormat.WorkloadCertificate(workload));
                var keyPath = BundlePath(bundle, BundleFormat.WorkloadKey(workload));
                var spiffeId = BundleFormat.SpiffeId(kitName, workload);
                // A new CA invalidates every leaf, so skip reading them.
                if (caRenewed || !LeafCertificates.IsCurrent(certificatePath, keyPath, authority, spiffeId, now))
                {
                    var (certificatePem, keyPem) = LeafCertificates.Issue(authority, workload, spiffeId, now);
                    WritePair(certificatePath, certificatePem, keyPath, keyPem, written);
                }
                else
                {
                    SecureFiles.EnsurePrivateFile(keyPath);
                }
                files.Add(certificatePath);
                files.Add(keyPath);
            }
        }

        var deleted = DeleteRemovedWorkloads(certsDirectory, names);
        return new CertificateUpdate(written, deleted, files);
    }

    // The key is written first: if the run dies between the two writes, the pair no longer matches and is reissued next time.
    private static void WritePair(string certificatePath, string certificatePem, string keyPath, string keyPem, List<string> written)
    {
        SecureFiles.WriteAtomically(keyPath, keyPem, SecureFiles.PrivateFileMode);
        written.Add(keyPath);
        SecureFiles.WriteAtomically(certificatePath, certificatePem, SecureFiles.PublicFileMode);
        written.Add(certificatePath);
    }

    /// <summary>Deletes <c>&lt;name&gt;.pem</c> / <c>&lt;name&gt;.key</c> of workloads no longer in the Kit; other files are left alone.</summary>
    private static List<string> DeleteRemovedWorkloads(string certsDirectory, IReadOnlyCollection<string> workloads)
    {
        var keep = new HashSet<string>(workloads, StringComparer.Ordinal) { "ca" };
        var deleted = new List<string>();
        foreach (var file in Directory.EnumerateFiles(certsDirectory).Order(StringComparer.Ordinal))
        {
            var extension = Path.GetExtension(file);
            var stem = Path.GetFileNameWithoutExtension(file);
            if ((extension == ".pem" || extension == ".key") && stem.Length > 0 && !stem.StartsWith('.') && !keep.Contains(stem))
            {
                File.Delete(file);
                deleted.Add(file);
            }
        }
        return deleted;
    }

    /// <summary>Names become path segments and SPIFFE ID text, so they must not escape the folder and must fit in a URI.</summary>
    private static void ValidateName(string name, string parameter, string description)
    {
        ArgumentNullException.ThrowIfNull(name, parameter);
        if (name.Length == 0)
        {
            throw new ArgumentException($"The {description} is empty.", parameter);
        }
        if (name.Contains('/') || name.Contains('\\') || name.Contains(".."))
        {
            throw new ArgumentException($"The {description} '{name}' contains '/', '\\' or '..'.", parameter);
        }
        if (name.Any(c => c is <= ' ' or > '~'))
        {
            throw new ArgumentException($"The {description} '{name}' contains a space, control or non-ASCII character, which a SPIFFE ID cannot hold.", parameter);
        }
    }

    private static string BundlePath(string bundle, string relative) => Path.GetFullPath(Path.Combine(bundle, relative));
}
