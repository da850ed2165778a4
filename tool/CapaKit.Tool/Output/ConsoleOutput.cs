using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Spectre.Console;

namespace CapaKit.Tool.Output;

/// <summary>Human text and progress go to stderr (so stdout stays the command's own); --format json writes one JSON document to stdout.</summary>
public sealed class ConsoleOutput
{
    // Created on first use: detecting the terminal costs milliseconds that a redirected, scripted run never needs.
    private readonly Lazy<IAnsiConsole> _console;

    private ConsoleOutput(bool json)
    {
        Json = json;
        _console = new Lazy<IAnsiConsole>(() => AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Console.Error),
            Interactive = json || Console.IsErrorRedirected ? InteractionSupport.No : InteractionSupport.Detect,
        }));
    }

    private IAnsiConsole _stderr => _console.Value;

    public bool Json { get; }

    public bool Interactive => !Json && !Console.IsErrorRedirected;

    public static ConsoleOutput From(ParseResult parse) => new(parse.GetValue(Commands.CommonOptions.Format) == "json");

    public void Info(string message)
    {
        if (!Interactive)
        {
            // Plain lines, never wrapped: logs and agents read these.
            if (!Json) Console.Error.WriteLine(message);
        }
        else
        {
            _stderr.MarkupLine($"[grey]{Markup.Escape(message)}[/]");
        }
    }

    public void Error(string message)
    {
        if (!Interactive)
        {
            Console.Error.WriteLine("error: " + message);
        }
        else
        {
            _stderr.MarkupLine($"[red]error:[/] {Markup.Escape(message)}");
        }
    }

    public void Raw(string text) => Console.Error.WriteLine(text);

    public void WriteJson(JsonNode node) => Console.Out.WriteLine(node.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

    /// <summary>Shows a spinner with a changing status line while <paramref name="work"/> runs (only on a terminal).</summary>
    public async Task<T> StatusAsync<T>(string initial, Func<Action<string>, Task<T>> work)
    {
        if (!Interactive)
        {
            return await work(_ => { });
        }
        // Quick work (a fresh Kit's check) finishes before a spinner would be worth drawing: show it only after a moment.
        var latest = initial;
        StatusContext? context = null;
        var lockObject = new object();
        void Report(string text)
        {
            lock (lockObject)
            {
                latest = text;
                context?.Status(Markup.Escape(text));
            }
        }
        var task = work(Report);
        if (await Task.WhenAny(task, Task.Delay(SpinnerDelay)) == task)
        {
            return await task;
        }
        return await _stderr.Status().StartAsync(latest, async ctx =>
        {
            lock (lockObject)
            {
                context = ctx;
                ctx.Status(Markup.Escape(latest));
            }
            return await task;
        });
    }

    private static readonly TimeSpan SpinnerDelay = TimeSpan.FromMilliseconds(250);
}
