using System.Xml.Linq;

namespace CapaKit.Tool.Testing;

/// <summary>Writes Kit test outcomes as a Visual Studio TRX file, so CI systems that read `dotnet test` results read these too.</summary>
public static class TrxWriter
{
    private static readonly XNamespace Ns = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010";

    public static void Write(string path, string kitName, IReadOnlyList<(string Id, bool Passed, TimeSpan Duration, string Message)> outcomes, DateTimeOffset started)
    {
        var runId = Guid.NewGuid();
        var listId = Guid.NewGuid();
        var finished = DateTimeOffset.UtcNow;
        var tests = outcomes.Select(o => (o.Id, o.Passed, o.Duration, o.Message, TestId: Guid.NewGuid(), ExecutionId: Guid.NewGuid())).ToList();
        var document = new XDocument(
            new XElement(Ns + "TestRun",
                new XAttribute("id", runId),
                new XAttribute("name", $"capakit test {kitName}"),
                new XElement(Ns + "Times", new XAttribute("creation", started.ToString("o")), new XAttribute("start", started.ToString("o")), new XAttribute("finish", finished.ToString("o"))),
                new XElement(Ns + "Results", tests.Select(t => new XElement(Ns + "UnitTestResult",
                    new XAttribute("executionId", t.ExecutionId),
                    new XAttribute("testId", t.TestId),
                    new XAttribute("testName", t.Id),
                    new XAttribute("computerName", Environment.MachineName),
                    new XAttribute("duration", t.Duration.ToString("c")),
                    new XAttribute("testType", "13cdc9d9-ddb5-4fa4-a97d-d965ccfc6d4b"),
                    new XAttribute("outcome", t.Passed ? "Passed" : "Failed"),
                    new XAttribute("testListId", listId),
                    t.Message.Length == 0 ? null : new XElement(Ns + "Output", new XElement(Ns + "ErrorInfo", new XElement(Ns + "Message", t.Message)))))),
                new XElement(Ns + "TestDefinitions", tests.Select(t => new XElement(Ns + "UnitTest",
                    new XAttribute("name", t.Id),
                    new XAttribute("storage", kitName),
                    new XAttribute("id", t.TestId),
                    new XElement(Ns + "Execution", new XAttribute("id", t.ExecutionId)),
                    new XElement(Ns + "TestMethod", new XAttribute("codeBase", kitName), new XAttribute("adapterTypeName", "capakit"), new XAttribute("className", kitName), new XAttribute("name", t.Id))))),
                new XElement(Ns + "TestLists", new XElement(Ns + "TestList", new XAttribute("name", "Kit tests"), new XAttribute("id", listId))),
                new XElement(Ns + "ResultSummary",
                    new XAttribute("outcome", tests.All(t => t.Passed) ? "Completed" : "Failed"),
                    new XElement(Ns + "Counters",
                        new XAttribute("total", tests.Count),
                        new XAttribute("executed", tests.Count),
                        new XAttribute("passed", tests.Count(t => t.Passed)),
                        new XAttribute("failed", tests.Count(t => !t.Passed))))));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        document.Save(path);
    }
}
