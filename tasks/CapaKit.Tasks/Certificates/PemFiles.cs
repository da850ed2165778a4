using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CapaKit.Tasks.Certificates;

/// <summary>Reads PEM files, answering null for anything missing, unreadable or damaged (the caller then regenerates).</summary>
internal static class PemFiles
{
    public static X509Certificate2? TryReadCertificate(string path)
    {
        try
        {
            return X509Certificate2.CreateFromPem(File.ReadAllText(path));
        }
        catch (Exception e) when (IsUnusable(e))
        {
            return null;
        }
    }

    public static ECDsa? TryReadKey(string path)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(File.ReadAllText(path));
            return key;
        }
        catch (Exception e) when (IsUnusable(e))
        {
            key.Dispose();
            return null;
        }
    }

    // ImportFromPem reports a file without a usable PEM block as ArgumentException.
    private static bool IsUnusable(Exception e) =>
        e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException;
}
