using System.CommandLine;
using System.Text;
using System.Text.Json.Nodes;
using CapaKit.Bundle;
using CapaKit.Tool.Kits;
using CapaKit.Tool.Output;
using CapaKit.Tool.Secrets;
using Spectre.Console;

namespace CapaKit.Tool.Commands;

/// <summary>
/// <c>dotnet capakit secrets set|list|rm</c>: the Kit's secrets in the .NET user-secrets store (under the Kit
/// project's UserSecretsId), which workloads resolve over the bridge. Values are never printed.
/// </summary>
public static class SecretsCommand
{
    public static Command Create() => new("secrets", "Set, list and remove the Kit's secrets (kept in the .NET user-secrets store; workloads resolve them at run time).")
    {
        SetCommand(),
        ListCommand(),
        RemoveCommand(),
    };

    private static Command SetCommand()
    {
        var name = new Argument<string>("name") { Description = "A secret the Kit declares (top-level `secrets` in capability.yml)." };
        var value = new Argument<string?>("value")
        {
            Description = "The value. Omit it or pass - to read it from stdin (or a hidden prompt); a value on the command line can end up in shell history.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var set = new Command("set", "Set a secret's value. A running Kit picks it up at the next resolution. Adds a UserSecretsId to the .kitproj when it has none.")
        {
            name, value, CommonOptions.Kit,
        };
        set.SetAction(async (parse, ct) =>
        {
            var output = ConsoleOutput.From(parse);
            return await CommandRunner.RunAsync(output, async () =>
            {
                var (kit, bundle) = await LoadAsync(parse, output, ct);
                var secret = parse.GetValue(name)!;
                if (!bundle.Secrets.ContainsKey(secret))
                {
                    throw new CapaKitException(ExitCodes.Usage, bundle.Secrets.Count == 0
                        ? $"The Kit '{bundle.Kit.Name}' declares no secrets; declare '{secret}' under the top-level `secrets` of capability.yml (and under the workloads that use it) first."
                        : $"The Kit '{bundle.Kit.Name}' does not declare a secret '{secret}'; its secrets are {string.Join(", ", bundle.Secrets.Keys)}.");
                }
                // Read the value before touching any file, so a failed read changes nothing.
                var text = ReadValue(parse.GetValue(value), secret, output);

                var addedId = false;
                if (string.IsNullOrWhiteSpace(bundle.Kit.UserSecretsId))
                {
                    var id = UserSecretsIdWriter.Ensure(kit.ProjectFile, out addedId);
                    bundle = await output.StatusAsync("Rebuilding the Kit", status => KitBuilder.EnsureBuiltAsync(kit, status, ct));
                    if (bundle.Kit.UserSecretsId != id)
                    {
                        throw new CapaKitException(ExitCodes.Tool,
                            $"{Path.GetFileName(kit.ProjectFile)} has UserSecretsId {id}, but the built Kit reports '{bundle.Kit.UserSecretsId}'; check for a conditional or overriding UserSecretsId (Directory.Build.props) and run again.");
                    }
                    if (addedId)
                    {
                        output.Info($"The Kit had no UserSecretsId, so `secrets set` added <UserSecretsId>{id}</UserSecretsId> to {Path.GetFileName(kit.ProjectFile)} (as `dotnet user-secrets init` does); commit that change.");
                    }
                }

                var store = KitUserSecrets.Open(bundle);
                store.Set(secret, text);
                var workloads = SecretGrants.WorkloadsUsing(bundle, secret);
                if (output.Json)
                {
                    output.WriteJson(new JsonObject
                    {
                        ["kit"] = bundle.Kit.Name,
                        ["secret"] = secret,
                        ["set"] = true,
                        ["userSecretsId"] = store.UserSecretsId,
                        ["addedUserSecretsId"] = addedId,
                        ["store"] = store.FilePath,
                        ["workloads"] = Array(workloads),
                    });
                }
                else
                {
                    output.Info($"Secret '{secret}' is set for Kit '{bundle.Kit.Name}' ({store.FilePath}); " +
                        (workloads.Count == 0 ? "no workload uses it yet." : $"workloads that may resolve it: {string.Join(", ", workloads)}."));
                }
                return ExitCodes.Ok;
            });
        });
        return set;
    }

    private static Command ListCommand()
    {
        var list = new Command("list", "List the Kit's secrets: whether each is set, what it is for and which workloads may resolve it (never the values).")
        {
            CommonOptions.Kit,
        };
        list.SetAction(async (parse, ct) =>
        {
            var output = ConsoleOutput.From(parse);
            return await CommandRunner.RunAsync(output, async () =>
            {
                var (_, bundle) = await LoadAsync(parse, output, ct);
                // No UserSecretsId yet is not an error here: it only means nothing is set.
                var store = KitUserSecrets.TryOpen(bundle);
                var rows = bundle.Secrets.Select(s => (
                    Name: s.Key,
                    Set: store?.TryGet(s.Key, out _) ?? false,
                    s.Value.Description,
                    Workloads: SecretGrants.WorkloadsUsing(bundle, s.Key))).ToList();
                var undeclared = store?.List().Where(k => !bundle.Secrets.Keys.Contains(k, StringComparer.OrdinalIgnoreCase)).ToList() ?? [];

                if (output.Json)
                {
                    output.WriteJson(new JsonObject
                    {
                        ["kit"] = bundle.Kit.Name,
                        ["userSecretsId"] = store?.UserSecretsId,
                        ["store"] = store?.FilePath,
                        ["secrets"] = new JsonArray([.. rows.Select(r => (JsonNode)new JsonObject
                        {
                            ["name"] = r.Name,
                            ["set"] = r.Set,
                            ["description"] = r.Description,
                            ["workloads"] = Array(r.Workloads),
                        })]),
                        ["undeclared"] = Array(undeclared),
                    });
                    return ExitCodes.Ok;
                }

                if (rows.Count == 0)
                {
                    output.Info($"The Kit '{bundle.Kit.Name}' declares no secrets.");
                }
                else
                {
                    var table = new Table().AddColumns("secret", "", "workloads", "description");
                    foreach (var r in rows)
                    {
                        table.AddRow(Markup.Escape(r.Name), r.Set ? "[green]set[/]" : "[yellow]not set[/]",
                            Markup.Escape(r.Workloads.Count == 0 ? "-" : string.Join(", ", r.Workloads)), Markup.Escape(r.Description ?? ""));
                    }
                    AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) }).Write(table);
                }
                if (store is null)
                {
                    output.Info("The Kit has no UserSecretsId yet, so nothing is set; `dotnet capakit secrets set <name>` adds one.");
                }
                if (undeclared.Count > 0)
                {
                    output.Info($"The store also holds keys the Kit does not declare: {string.Join(", ", undeclared)} (`dotnet capakit secrets rm <name>` removes one).");
                }
                return ExitCodes.Ok;
            });
        });
        return list;
    }

    private static Command RemoveCommand()
    {
        var name = new Argument<string>("name") { Description = "The secret to remove (declared or not, so stale entries can go too)." };
        var rm = new Command("rm", "Remove a secret's value from the Kit's store.")
        {
            name, CommonOptions.Kit,
        };
        rm.SetAction(async (parse, ct) =>
        {
            var output = ConsoleOutput.From(parse);
            return await CommandRunner.RunAsync(output, async () =>
            {
                var (_, bundle) = await LoadAsync(parse, output, ct);
                var secret = parse.GetValue(name)!;
                var store = KitUserSecrets.Open(bundle);
                var removed = store.Remove(secret);
                if (output.Json)
                {
                    output.WriteJson(new JsonObject { ["kit"] = bundle.Kit.Name, ["secret"] = secret, ["removed"] = removed });
                }
                else
                {
                    output.Info(removed
                        ? $"Secret '{secret}' is removed from Kit '{bundle.Kit.Name}'."
                        : $"Secret '{secret}' was not set for Kit '{bundle.Kit.Name}'; nothing to remove.");
                }
                return ExitCodes.Ok;
            });
        });
        return rm;
    }

    private static async Task<(KitProject Kit, KitBundle Bundle)> LoadAsync(ParseResult parse, ConsoleOutput output, CancellationToken ct)
    {
        var kit = KitProject.Locate(parse.GetValue(CommonOptions.Kit), Environment.CurrentDirectory);
        var bundle = await output.StatusAsync("Checking the Kit", status => KitBuilder.EnsureBuiltAsync(kit, status, ct));
        return (kit, bundle);
    }

    /// <summary>The value from the command line, stdin (one trailing line break dropped) or a prompt that does not echo.</summary>
    private static string ReadValue(string? given, string secret, ConsoleOutput output)
    {
        string value;
        if (given is not null && given != "-")
        {
            value = given;
        }
        else if (Console.IsInputRedirected)
        {
            value = Console.In.ReadToEnd();
            value = value.EndsWith("\r\n", StringComparison.Ordinal) ? value[..^2] : value.EndsWith('\n') ? value[..^1] : value;
        }
        else if (output.Json)
        {
            throw new CapaKitException(ExitCodes.Usage, $"With --format json, give the value of '{secret}' on stdin.");
        }
        else
        {
            value = PromptHidden($"Value for {secret} (input is not shown): ");
        }
        if (value.Length == 0)
        {
            throw new CapaKitException(ExitCodes.Usage, $"The value for '{secret}' is empty; pass it on stdin or type it at the prompt.");
        }
        return value;
    }

    private static string PromptHidden(string prompt)
    {
        Console.Error.Write(prompt);
        var value = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                break;
            }
            if (key.Key == ConsoleKey.Backspace)
            {
                if (value.Length > 0) value.Length--;
            }
            else if (key.KeyChar != '\0')
            {
                value.Append(key.KeyChar);
            }
        }
        Console.Error.WriteLine();
        return value.ToString();
    }

    private static JsonArray Array(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode)v)]);
}
