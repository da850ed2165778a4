using System.Runtime.InteropServices;
using CapaKit.Tool.Bun;

namespace CapaKit.Tool.Tests.Bun;

[TestClass]
public sealed class NpmFailureTests
{
    private static readonly BunPlatform Baseline = BunPlatform.For("linux", Architecture.X64, false, false);

    [TestMethod]
    public void Describe_NamesTheRegistry_WhenTheNetworkFails()
    {
        var error = NpmFailure.Describe(new NpmResult(1, "", "npm error code ENOTFOUND\nnpm error syscall getaddrinfo\n"), Baseline, "1.4.5");

        StringAssert.Contains(error.Message, "could not reach the npm registry");
        StringAssert.Contains(error.Message, "ENOTFOUND");
    }

    [TestMethod]
    public void Describe_SaysThePlatformIsUnsupported_WhenItsPackageIsMissing()
    {
        var stderr = "npm error code E404\nnpm error 404 Not Found - GET https://registry.example/@oven%2fbun-linux-x64-baseline - Not found\n";

        var error = NpmFailure.Describe(new NpmResult(1, "", stderr), Baseline, "1.4.5");

        StringAssert.Contains(error.Message, "not published for this platform");
    }

    [TestMethod]
    public void Describe_SaysTheVersionIsMissing_WhenBunItselfIs404()
    {
        var stderr = "npm error code E404\nnpm error 404 Not Found - GET https://registry.example/bun - Not found\n";

        var error = NpmFailure.Describe(new NpmResult(1, "", stderr), Baseline, "1.4.5");

        StringAssert.Contains(error.Message, "has no bun@1.4.5");
    }

    [TestMethod]
    public void Describe_QuotesNpmsErrors_Otherwise()
    {
        var error = NpmFailure.Describe(new NpmResult(1, "", "npm error code ENOSPC\nnpm error nospc no space left on device\n"), Baseline, "1.4.5");

        StringAssert.Contains(error.Message, "no space left on device");
        StringAssert.Contains(error.Message, "exit code 1");
    }
}
