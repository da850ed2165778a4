using System.CommandLine;
using System.Text.Json.Nodes;
using CapaKit.Tool.Output;
using CapaKit.Tool.Packages;
using Spectre.Console;

namespace CapaKit.Tool.Commands;

/// <summary><c>dotnet capakit search [term]</c>: Kit packages (package type CapaKit) on the feeds in effect here.</summary>
public static class SearchCommand
{
    private static readonly Argument<string?> Term = new("term") { Description = "Words to look for in package ids and descriptions (default: every Kit package).", Arity = ArgumentArity.ZeroOrOne };
    private static readonly Option<bool> Prerelease = new("--prerelease") { Description = "Include prerelease versions." };
    private static readonly Option<int> Take = new("--take") { Description = "At most this many packages.", DefaultValueFactory = _ => 20 };

    public static Command Create()
    {
        var search = new Command("search", "Find Kit packages (NuGet package type CapaKit) on the configured feeds; run one with: dotnet capakit up <PackageId>.")
        {
            Term, CommonOptions.Source, Prerelease, Take,
        };
        search.SetAction(async (parse, ct) =>
        {
            var output = ConsoleOutput.From(parse);
            return await CommandRunner.RunAsync(output, async () =>
            {
                var take = parse.GetValue(Take);
                if (take < 1)
                {
                    throw new CapaKitException(ExitCodes.Usage, $"--take {take} must be at least 1.");
                }
                var term = parse.GetValue(Term) ?? "";
                var feeds = KitFeeds.Load(Environment.CurrentDirectory, parse.GetValue(CommonOptions.Source));
                var result = await output.StatusAsync($"Searching {feeds.Sources.Count} feed{(feeds.Sources.Count == 1 ? "" : "s")}",
                    _ => KitPackageSearch.SearchAsync(feeds, term, parse.GetValue(Prerelease), take, ct));
                foreach (var failure in result.Failures)
                {
                    output.Info("warning: " + failure);
                }
                if (result.Hits.Count == 0 && result.Failures.Count == feeds.Sources.Count && feeds.Sources.Count > 0)
                {
                    throw new CapaKitException(ExitCodes.Usage, $"No feed could be searched ({feeds.Describe()}); check the feeds in nuget.config or --source.");
                }
                Write(output, result.Hits, term, feeds);
                return ExitCodes.Ok;
            });
        });
        return search;
    }

    private static void Write(ConsoleOutput output, IReadOnlyList<KitSearchHit> hits, string term, KitFeeds feeds)
    {
        if (output.Json)
        {
            output.WriteJson(new JsonArray([.. hits.Select(h => (JsonNode)new JsonObject
            {
                ["id"] = h.Id,
                ["version"] = h.Version.ToNormalizedString(),
                ["description"] = h.Description,
                ["feed"] = h.Feed,
            })]));
            return;
        }
        if (hits.Count == 0)
        {
            output.Info($"No Kit package{(term.Length > 0 ? $" matches '{term}'" : "")} on {feeds.Describe()}.");
            return;
        }
        // The list is the command's answer, so it goes to stdout like ps's table.
        var table = new Table().AddColumns("id", "version", "description", "feed");
        foreach (var hit in hits)
        {
            table.AddRow(Markup.Escape(hit.Id), Markup.Escape(hit.Version.ToNormalizedString()), Markup.Escape(hit.Description), Markup.Escape(hit.Feed));
        }
        AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) }).Write(table);
        output.Info($"Run one with: dotnet capakit up <id>{(feeds.Extra is not null ? " --source " + feeds.Extra.Source : "")}");
    }
}
