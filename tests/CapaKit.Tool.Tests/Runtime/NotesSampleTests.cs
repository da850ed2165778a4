using System.Text.Json;
using CapaKit.Tool.Tests.Support;

namespace CapaKit.Tool.Tests.Runtime;

/// <summary>
/// The composition sample: samples/kvstore packed into the test feed as CapaKit.Samples.KvStore, and samples/notes,
/// which imports it by PackageReference, run with its own capability-test.yml (an MCP call through the gateway to
/// the notes api, which stores and reads back through the imported store).
/// </summary>
[TestClass]
public sealed class NotesSampleTests
{
    [TestMethod]
    public void TheNotesSampleRunsItsTestsAgainstTheImportedStore()
    {
        RuntimeKits.Sample("kvstore", withProject: true, pack: true);
        var notes = RuntimeKits.Sample("notes", withProject: true);
        var capakit = new Capakit(notes);
        try
        {
            var results = Path.Combine(notes.Directory, "results");
            var test = capakit.Run("test", "--results", results, "--option", "note_limit=5");
            Assert.AreEqual(0, test.ExitCode, test.ToString());
            StringAssert.Contains(test.All, "2 passed, 0 failed", test.ToString());

            using var model = JsonDocument.Parse(File.ReadAllText(Path.Combine(notes.Directory, "bin", "Debug", "kit", "kit.json")));
            var store = model.RootElement.GetProperty("workloads").GetProperty("kv.server");
            Assert.AreEqual("note_limit", store.GetProperty("phases").GetProperty("start").GetProperty("envFromOptions").EnumerateObject().Single().Value.GetString());
        }
        finally
        {
            capakit.Down();
        }
    }
}
