using System.Text.RegularExpressions;

namespace CapaKit.Tool.Bun;

/// <summary>Turns a failed npm install into one sentence that says what went wrong and what to do.</summary>
internal static partial class NpmFailure
{
    /// <summary>npm's and Node's codes for "the registry could not be reached at all".</summary>
    private static readonly HashSet<string> NetworkCodes = new(StringComparer.Ordinal)
    {
        "ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH",
        "ENETDOWN", "ERR_SOCKET_TIMEOUT", "ESOCKETTIMEDOUT", "EPROTO", "SELF_SIGNED_CERT_IN_CHAIN",
        "UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "CERT_HAS_EXPIRED",
    };

    internal static CapaKitException Describe(NpmResult result, BunPlatform platform, string version)
    {
        var output = result.StandardError + "\n" + result.StandardOutput;
        var code = ErrorCode().Match(output) is { Success: true } m ? m.Groups[1].Value : null;

        if (code is not null && NetworkCodes.Contains(code))
        {
            return new CapaKitException(ExitCodes.MissingPrerequisite,
                $"npm could not reach the npm registry to download Bun {version} ({code}); check the network, proxy and 'npm config get registry', or set CAPAKIT_BUN to an installed Bun.");
        }
        // A 404 names the package by its URL-encoded path ("@oven%2fbun-...") and by name.
        var platformMissing = code == "E404"
            && (output.Contains(platform.PackageName, StringComparison.Ordinal)
                || output.Contains(platform.PackageName.Replace("/", "%2f"), StringComparison.OrdinalIgnoreCase));
        if (platformMissing || code == "EBADPLATFORM")
        {
            return new CapaKitException(ExitCodes.MissingPrerequisite,
                $"Bun {version} is not published for this platform ({platform.PackageName}); install a Bun build yourself and set CAPAKIT_BUN to its path.");
        }
        if (code == "E404" || code == "ETARGET")
        {
            return new CapaKitException(ExitCodes.MissingPrerequisite,
                $"The configured npm registry has no bun@{version}; point npm at a registry that mirrors it ('npm config get registry') or set CAPAKIT_BUN to an installed Bun.");
        }
        var errors = output.Split('\n')
            .Where(l => l.StartsWith("npm error", StringComparison.Ordinal) || l.StartsWith("npm ERR!", StringComparison.Ordinal))
            .Select(l => l.Trim())
            .Take(6)
            .ToList();
        var detail = errors.Count > 0 ? string.Join("\n  ", errors) : output.Trim();
        return new CapaKitException(ExitCodes.MissingPrerequisite,
            $"npm failed to install Bun {version} (exit code {result.ExitCode}); fix what npm reports below and run again, or set CAPAKIT_BUN to an installed Bun:\n  {detail}");
    }

    /// <summary>npm 7+ prints "npm error code X" (npm 9 and older: "npm ERR! code X").</summary>
    [GeneratedRegex(@"^npm (?:error|ERR!) code (\S+)", RegexOptions.Multiline)]
    private static partial Regex ErrorCode();
}
