using System.CommandLine;
using CapaKit.Tool.Kits;
using CapaKit.Tool.Output;
using CapaKit.Tool.Runtime;

namespace CapaKit.Tool.Commands;

/// <summary><c>dotnet capakit logs [-f] [workload]</c>: a running (or the last) Kit's workload output.</summary>
public static class LogsCommand
{
    private static readonly Argument<string?> Workload = new("workload") { Description = "Only this workload (default: all, each line prefixed with its name).", Arity = ArgumentArity.ZeroOrOne };
    private static readonly Option<bool> Follow = new("--follow", "-f") { Description = "Keep printing new lines until Ctrl-C." };

    public static Command Create()
    {
        var logs = new Command("logs", "Print the output of a Kit's workloads (installs, starts, restarts included).")
        {
            Workload, Follow, CommonOptions.Kit,
        };
        logs.SetAction(async (parse, ct) =>
        {
            var output = ConsoleOutput.From(parse);
            return await CommandRunner.RunAsync(output, async () =>
            {
                var kit = KitProject.Locate(parse.GetValue(CommonOptions.Kit), Environment.CurrentDirectory);
                var paths = new InstancePaths(kit);
                var only = parse.GetValue(Workload);
                var files = Directory.Exists(paths.LogsDirectory)
                    ? Directory.GetFiles(paths.LogsDirectory, "*.log").Where(f => !Path.GetFileName(f).StartsWith('_')).Order(StringComparer.Ordinal).ToList()
                    : [];
                if (only is not null)
                {
                    // An import workload's name stands for the imported workload behind it (`store` → `kv.server`).
                    if (!files.Any(f => Path.GetFileNameWithoutExtension(f) == only)
                        && File.Exists(Path.Combine(kit.BundleDirectory, CapaKit.Bundle.BundleFormat.ModelFile))
                        && CapaKit.Bundle.BundleFormat.ReadModel(kit.BundleDirectory).FindWorkload(only) is { } imported)
                    {
                        only = imported.Name;
                    }
                    files = files.Where(f => Path.GetFileNameWithoutExtension(f) == only).ToList();
                    if (files.Count == 0)
                    {
                        throw new CapaKitException(ExitCodes.Usage, $"There are no logs of workload '{only}'; run the Kit with: dotnet capakit up.");
                    }
                }
                if (files.Count == 0)
                {
                    throw new CapaKitException(ExitCodes.Usage, "This Kit has no logs yet; start it with: dotnet capakit up.");
                }
                var prefix = only is null;
                var offsets = files.ToDictionary(f => f, _ => 0L);
                // Everything so far, merged by timestamp (each line starts with one).
                var lines = files.SelectMany(f => Read(f, offsets).Select(l => (File: f, Line: l))).OrderBy(x => x.Line, StringComparer.Ordinal);
                foreach (var (file, line) in lines)
                {
                    Console.Out.WriteLine(prefix ? $"{Path.GetFileNameWithoutExtension(file)} | {line}" : line);
                }
                while (parse.GetValue(Follow) && !ct.IsCancellationRequested)
                {
                    try
                    {
                        await Task.Delay(200, ct);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                    foreach (var file in Directory.GetFiles(paths.LogsDirectory, "*.log").Where(f => (only is null && !Path.GetFileName(f).StartsWith('_')) || Path.GetFileNameWithoutExtension(f) == only))
                    {
                        offsets.TryAdd(file, 0);
                        foreach (var line in Read(file, offsets))
                        {
                            Console.Out.WriteLine(prefix ? $"{Path.GetFileNameWithoutExtension(file)} | {line}" : line);
                        }
                    }
                }
                return ExitCodes.Ok;
            });
        });
        return logs;
    }

    /// <summary>Whole lines added to <paramref name="file"/> since the last read.</summary>
    private static List<string> Read(string file, Dictionary<string, long> offsets)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        if (stream.Length < offsets[file])
        {
            offsets[file] = 0; // truncated by a new run
        }
        stream.Seek(offsets[file], SeekOrigin.Begin);
        using var reader = new StreamReader(stream);
        var text = reader.ReadToEnd();
        var end = text.LastIndexOf('\n');
        if (end < 0)
        {
            return [];
        }
        offsets[file] += System.Text.Encoding.UTF8.GetByteCount(text[..(end + 1)]);
        return text[..end].Split('\n').ToList();
    }
}
