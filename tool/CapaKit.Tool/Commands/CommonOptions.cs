using System.CommandLine;

namespace CapaKit.Tool.Commands;

/// <summary>Options shared by the commands that act on a Kit.</summary>
public static class CommonOptions
{
    public static readonly Option<string?> Kit = new("--kit")
    {
        Description = "The Kit: a .kitproj or its folder (default: the current folder).",
    };

    public static readonly Option<string[]> Options = new("--option")
    {
        Description = "Set a Kit option: --option name=value (repeatable).",
        AllowMultipleArgumentsPerToken = false,
    };

    public static readonly Option<string[]> Mounts = new("--mount")
    {
        Description = "Bind a host folder to a declared mount: --mount name=path (repeatable).",
        AllowMultipleArgumentsPerToken = false,
    };

    public static readonly Option<string?> Source = new("--source")
    {
        Description = "A NuGet feed (URL or folder) to look for Kit packages on, besides the nuget.config sources in effect here.",
    };

    public static readonly Option<string> Format = new("--format")
    {
        Description = "text for people (stderr), json for machines (stdout).",
        DefaultValueFactory = _ => "text",
        Recursive = true,
    };

    static CommonOptions()
    {
        Format.AcceptOnlyFromAmong("text", "json");
    }

    public static Dictionary<string, string> ParsePairs(string[]? values, string option)
    {
        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var value in values ?? [])
        {
            var equals = value.IndexOf('=');
            if (equals <= 0)
            {
                throw new CapaKitException(ExitCodes.Usage, $"'{option} {value}' needs the form name=value.");
            }
            pairs[value[..equals]] = value[(equals + 1)..];
        }
        return pairs;
    }
}
