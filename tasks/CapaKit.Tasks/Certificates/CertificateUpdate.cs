namespace CapaKit.Tasks.Certificates;

/// <summary>What <see cref="KitCertificates.Ensure"/> changed: absolute paths written and deleted, and every cert/key file now in the bundle.</summary>
public sealed record CertificateUpdate(IReadOnlyList<string> Written, IReadOnlyList<string> Deleted, IReadOnlyList<string> Files);
