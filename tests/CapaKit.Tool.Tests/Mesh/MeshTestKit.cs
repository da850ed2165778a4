using System.Security.Cryptography.X509Certificates;
using CapaKit.Bundle;
using CapaKit.Tasks.Certificates;
using CapaKit.Tool.Ingress;
using CapaKit.Tool.Mesh;
using Microsoft.Extensions.Logging.Abstractions;

namespace CapaKit.Tool.Tests.Mesh;

/// <summary>A workload as the test declares it: its connections and endpoints.</summary>
internal sealed record TestWorkload(string Name, string[] Connections, params EndpointModel[] Endpoints);

/// <summary>
/// A Kit model plus a bundle folder holding real certificates from <see cref="KitCertificates.Ensure"/>, in a short
/// temp folder (unix socket paths must stay short) that also holds the runtime folder and the test's ingress sockets.
/// </summary>
internal sealed class MeshTestKit : IDisposable
{
    public const string KitName = "todo";

    public static readonly EndpointModel Http = new() { Protocol = "http", Path = "/" };

    private MeshTestKit(string root, KitBundle bundle)
    {
        Root = root;
        Bundle = bundle;
    }

    public string Root { get; }
    public string BundleDirectory => Path.Combine(Root, "b");
    public string RuntimeDirectory => Path.Combine(Root, "r");
    public KitBundle Bundle { get; }

    /// <summary>web → api; <c>other</c> declares no connections.</summary>
    public static MeshTestKit WebApiOther(string kitName = KitName) => Create(kitName,
        new TestWorkload("web", ["api"], Http),
        new TestWorkload("api", [], Http),
        new TestWorkload("other", [], Http));

    public static MeshTestKit Create(string kitName, params TestWorkload[] workloads)
    {
        var root = Path.Combine("/tmp", "ckm-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var bundleDirectory = Path.Combine(root, "b");
        KitCertificates.Ensure(bundleDirectory, kitName, [.. workloads.Select(w => w.Name)], DateTimeOffset.UtcNow);
        var bundle = new KitBundle
        {
            CompilerVersion = "test",
            Kit = new KitInfo { Name = kitName, Directory = root, ManifestFile = Path.Combine(root, "capability.yml") },
            Identity = new IdentityModel { TrustDomain = BundleFormat.TrustDomain(kitName), CaCertificate = BundleFormat.CaCertificateFile },
        };
        foreach (var workload in workloads)
        {
            bundle.Workloads[workload.Name] = new WorkloadModel
            {
                Name = workload.Name,
                Root = "workloads/" + workload.Name,
                Toolchain = "bun",
                Connections = [.. workload.Connections],
                Endpoints = [.. workload.Endpoints],
                Identity = new WorkloadIdentityModel
                {
                    SpiffeId = BundleFormat.SpiffeId(kitName, workload.Name),
                    Certificate = BundleFormat.WorkloadCertificate(workload.Name),
                    Key = BundleFormat.WorkloadKey(workload.Name),
                },
            };
        }
        return new MeshTestKit(root, bundle);
    }

    public string SpiffeId(string workload) => Bundle.Workloads[workload].Identity.SpiffeId;

    /// <summary>Where the test's stand-in for <paramref name="workload"/> listens (its ingress).</summary>
    public string IngressPath(string workload) => Path.Combine(Root, "in-" + workload + ".sock");

    /// <summary><paramref name="workload"/>'s ingress as the mesh reaches it: the stand-ins listen in this process, the "sandbox" they must belong to.</summary>
    public WorkloadIngress Ingress(string workload) => new(workload, IngressPath(workload), Environment.ProcessId);

    public Task<WorkloadMesh> StartMeshAsync(MeshLimits? limits = null) =>
        WorkloadMesh.StartAsync(Bundle, BundleDirectory, RuntimeDirectory, Ingress, NullLogger.Instance, limits ?? MeshLimits.Default, CancellationToken.None);

    /// <summary>A workload's certificate with its private key, as an attacker holding the files would load it.</summary>
    public X509Certificate2 CertificateWithKey(string workload)
    {
        using var pem = X509Certificate2.CreateFromPemFile(
            Path.Combine(BundleDirectory, BundleFormat.WorkloadCertificate(workload)),
            Path.Combine(BundleDirectory, BundleFormat.WorkloadKey(workload)));
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A socket still being closed; /tmp is cleaned anyway.
        }
    }
}
