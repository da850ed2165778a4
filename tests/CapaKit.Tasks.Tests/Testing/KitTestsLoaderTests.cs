using CapaKit.Bundle;
using CapaKit.Tasks.Compilation;
using CapaKit.Tasks.Diagnostics;
using CapaKit.Tasks.Manifest;
using CapaKit.Tasks.Testing;
using CapaKit.Tasks.Tests.Support;

namespace CapaKit.Tasks.Tests.Testing;

[TestClass]
public sealed class KitTestsLoaderTests
{
    private static KitBundle Kit(string sample)
    {
        var file = RepoPaths.Combine("samples", sample, "capability.yml");
        var diagnostics = new DiagnosticBag();
        var manifest = ManifestLoader.LoadFile(file, diagnostics)!;
        return KitModelBuilder.Build(manifest, "0", null);
    }

    [TestMethod]
    [DataRow("hello")]
    [DataRow("todo")]
    [DataRow("kvstore")]
    public void TheSamplesTestsCompile(string sample)
    {
        var file = RepoPaths.Combine("samples", sample, "capability-test.yml");
        var diagnostics = new DiagnosticBag();
        var tests = KitTestsLoader.Load(File.ReadAllText(file), file, Kit(sample), diagnostics);
        Assert.IsFalse(diagnostics.HasErrors, string.Join("\n", diagnostics.Items));
        Assert.IsNotEmpty(tests!.Tests);
    }

    [TestMethod]
    public void ReadsMcpAndExecTests()
    {
        var diagnostics = new DiagnosticBag();
        var tests = KitTestsLoader.Load("""
            tests:
              - id: greets
                kind: mcp
                target: {exposed_path: /mcp}
                request: {tool: hello-world, inputs: {name: Ada, loud: true, times: 2}}
                verbose_output: [$.text]
                validations: ['$.text.eq("hello Ada")', '$.is_error.eq(false)']
              - id: unit
                kind: exec
                target: {workload: hello}
                request: {command: [bun, test]}
                validations: ['$.exit_code.eq(0)', '$.stdout.contains("pass")']
            """, "capability-test.yml", Kit("hello"), diagnostics)!;
        Assert.IsFalse(diagnostics.HasErrors, string.Join("\n", diagnostics.Items));
        var mcp = tests.Tests[0];
        Assert.AreEqual(("mcp", "/mcp", "hello-world"), (mcp.Kind, mcp.ExposedPath, mcp.Tool));
        Assert.AreEqual(2, mcp.Inputs!.Value.GetProperty("times").GetInt32());
        Assert.IsTrue(mcp.Inputs!.Value.GetProperty("loud").GetBoolean());
        Assert.AreEqual(("text", "eq", "hello Ada"), (mcp.Validations[0].Path, mcp.Validations[0].Op, mcp.Validations[0].Argument!.Value.GetString()));
        CollectionAssert.AreEqual(new[] { "text" }, mcp.VerboseOutput);
        var exec = tests.Tests[1];
        CollectionAssert.AreEqual(new[] { "bun", "test" }, exec.Command);
        Assert.AreEqual("contains", exec.Validations[1].Op);
    }

    [TestMethod]
    [DataRow("tests:\n  - {id: a, kind: http, target: {workload: hello}, request: {command: [x]}}", "kind 'http'", 2, DisplayName = "unknown kind")]
    [DataRow("tests:\n  - {id: a, kind: mcp, target: {exposed_path: /nope}, request: {tool: x}}", "'/nope'", 2, DisplayName = "unknown exposed path")]
    [DataRow("tests:\n  - {id: a, kind: exec, target: {workload: nope}, request: {command: [x]}}", "workload 'nope'", 2, DisplayName = "unknown workload")]
    [DataRow("tests:\n  - {id: a, kind: mcp, target: {exposed_path: /mcp}, request: {}}", "request.tool", 2, DisplayName = "no tool")]
    [DataRow("tests:\n  - {id: a, kind: exec, target: {workload: hello}, request: {command: bun}}", "request.command", 2, DisplayName = "command not a list")]
    [DataRow("tests:\n  - id: a\n    kind: exec\n    target: {workload: hello}\n    request: {command: [x]}\n    validations: ['$.exit_code.equals(0)']", "not of the form", 6, DisplayName = "bad validation")]
    [DataRow("tests:\n  - id: a\n    kind: exec\n    target: {workload: hello}\n    request: {command: [x]}\n    validations:\n      - $.stdout.eq(\"a: b\")", "put the whole validation in single quotes", 7, DisplayName = "unquoted validation with ': '")]
    [DataRow("tests:\n  - {id: a, kind: exec, target: {workload: hello}, request: {command: [x]}}\n  - {id: a, kind: exec, target: {workload: hello}, request: {command: [x]}}", "used twice", 3, DisplayName = "duplicate id")]
    [DataRow("nothing: here", "top-level 'tests'", 1, DisplayName = "no tests list")]
    public void RefusesBrokenTestsWithTheirLine(string yaml, string message, int line)
    {
        var diagnostics = new DiagnosticBag();
        KitTestsLoader.Load(yaml, "capability-test.yml", Kit("hello"), diagnostics);
        var error = diagnostics.Items.FirstOrDefault(d => d.IsError);
        Assert.IsNotNull(error, "expected an error");
        StringAssert.Contains(error.Message, message);
        Assert.AreEqual(line, error.Line, error.ToString());
        StringAssert.StartsWith(error.Code, "CAPA030");
    }

    [TestMethod]
    [DataRow("$.text.eq(\"hello world\")", "text", "eq")]
    [DataRow("$.exit_code.eq(0)", "exit_code", "eq")]
    [DataRow("$.structured.items.exists()", "structured.items", "exists")]
    [DataRow("$.stdout.matches(\"^ok\")", "stdout", "matches")]
    public void ParsesValidations(string expression, string path, string op)
    {
        var validation = KitTestsLoader.Validation(expression)!;
        Assert.AreEqual((path, op), (validation.Path, validation.Op));
    }

    [TestMethod]
    [DataRow("text.eq(1)")]
    [DataRow("$.text.eq(hello)")]
    [DataRow("$.text.frob(1)")]
    [DataRow("$.text.eq()")]
    public void RefusesMalformedValidations(string expression) => Assert.IsNull(KitTestsLoader.Validation(expression));
}
