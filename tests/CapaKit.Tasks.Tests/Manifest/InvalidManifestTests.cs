using System.Text.RegularExpressions;
using CapaKit.Tasks.Diagnostics;
using CapaKit.Tasks.Manifest;

namespace CapaKit.Tasks.Tests.Manifest;

/// <summary>
/// Every file in Manifests/invalid is a broken capability.yml whose first line says which code must be
/// reported where: <c># expect: CAPA0120 at 9:9</c>.
/// </summary>
[TestClass]
public sealed partial class InvalidManifestTests
{
    [GeneratedRegex(@"^# expect: (CAPA\d{4}) at (\d+):(\d+)")]
    private static partial Regex Expectation();

    public static IEnumerable<object[]> Cases() =>
        Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "Manifests", "invalid"), "*.yml")
            .Order(StringComparer.Ordinal)
            .Select(f => new object[] { Path.GetFileName(f) });

    [TestMethod]
    public void ThereAreAtLeastFifteenMalformedManifests() => Assert.IsGreaterThanOrEqualTo(15, Cases().Count());

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void ReportsTheExpectedCodeAtTheExpectedPlace(string fileName)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Manifests", "invalid", fileName);
        var text = File.ReadAllText(path);
        var match = Expectation().Match(text);
        Assert.IsTrue(match.Success, $"{fileName} has no '# expect:' header");
        var (code, line, column) = (match.Groups[1].Value, int.Parse(match.Groups[2].Value), int.Parse(match.Groups[3].Value));

        var diagnostics = new DiagnosticBag();
        var manifest = ManifestLoader.Load(text, path, diagnostics);
        if (manifest is not null)
        {
            ManifestValidator.Validate(manifest, diagnostics);
        }

        var all = string.Join("\n", diagnostics.Items);
        var hit = diagnostics.Items.FirstOrDefault(d => d.Code == code);
        Assert.IsNotNull(hit, $"expected {code} in {fileName}, got:\n{all}");
        Assert.IsTrue(hit.IsError, $"{code} must be an error: {hit}");
        Assert.AreEqual((line, column), (hit.Line, hit.Column), $"{code} reported at the wrong place:\n{all}");
        Assert.AreEqual(path, hit.File);
        StringAssert.EndsWith(hit.Message, ".", "messages are one sentence");
    }
}
