using System.Text.RegularExpressions;
using CapaKit.Bundle;
using CapaKit.Tasks.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace CapaKit.Tasks.Skills;

/// <summary>One validated skill: its model for kit.json and the SKILL.md it came from.</summary>
public sealed record LoadedSkill(SkillModel Model, string SourceFile);

/// <summary>
/// Reads the Kit's agent skills (<c>skills/&lt;name&gt;/SKILL.md</c> next to capability.yml): YAML frontmatter
/// with <c>name</c> and <c>description</c>, then Markdown. Errors carry the SKILL.md path and line.
/// </summary>
public static partial class SkillsLoader
{
    public const string Folder = "skills";
    public const string FileName = "SKILL.md";
    public const int MaxNameLength = 64;
    public const int MaxDescriptionLength = 1024;

    [GeneratedRegex("^[a-z0-9-]+$")]
    private static partial Regex SafeName();

    public static bool IsSafeName(string name) => name.Length is > 0 and <= MaxNameLength && SafeName().IsMatch(name);

    /// <summary>Bundle-relative path of a skill's SKILL.md.</summary>
    public static string BundlePath(string name) => $"{Folder}/{name}/{FileName}";

    /// <summary>Loads every skill under <paramref name="kitDirectory"/>/skills, sorted by name; none when there is no such folder.</summary>
    public static IReadOnlyList<LoadedSkill> LoadAll(string kitDirectory, DiagnosticBag diagnostics)
    {
        var root = Path.Combine(kitDirectory, Folder);
        if (!Directory.Exists(root))
        {
            return [];
        }
        var skills = new List<LoadedSkill>();
        foreach (var folder in Directory.EnumerateDirectories(root).Order(StringComparer.Ordinal))
        {
            var file = Path.Combine(folder, FileName);
            if (!File.Exists(file))
            {
                // A stray folder is likely work in progress, not a broken Kit.
                diagnostics.Warning(DiagnosticCodes.SkillFileMissing,
                    $"Skill folder skills/{Path.GetFileName(folder)}/ has no {FileName}; add one or remove the folder.", folder);
                continue;
            }
            if (Load(File.ReadAllText(file), file, Path.GetFileName(folder), diagnostics) is { } model)
            {
                skills.Add(new LoadedSkill(model, file));
            }
        }
        return skills;
    }

    /// <summary>Validates one SKILL.md's text; <paramref name="folderName"/> is the folder holding it.</summary>
    public static SkillModel? Load(string text, string file, string folderName, DiagnosticBag diagnostics)
    {
        var lines = text.TrimStart('\uFEFF').Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        if (lines.Count == 0 || lines[0].TrimEnd() != "---")
        {
            diagnostics.Error(DiagnosticCodes.SkillFrontmatterMissing, $"{FileName} must start with YAML frontmatter: a '---' line, name and description, then '---'.", file, 1, 1);
            return null;
        }
        var close = lines.FindIndex(1, l => l.TrimEnd() == "---");
        if (close < 0)
        {
            diagnostics.Error(DiagnosticCodes.SkillFrontmatterMissing, $"The frontmatter of {FileName} is not closed; end it with a '---' line.", file, 1, 1);
            return null;
        }

        // The frontmatter starts on line 2, so YAML line n is file line n + 1.
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(string.Join('\n', lines.Skip(1).Take(close - 1))));
        }
        catch (YamlException e)
        {
            diagnostics.Error(DiagnosticCodes.SkillFrontmatterSyntax, $"The frontmatter of {FileName} is not valid YAML: {(e.InnerException?.Message ?? e.Message).TrimEnd('.')}; fix the syntax at this position.",
                file, (int)e.Start.Line + 1, (int)e.Start.Column);
            return null;
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode map)
        {
            diagnostics.Error(DiagnosticCodes.SkillFrontmatterSyntax, $"The frontmatter of {FileName} must be a mapping with name and description.", file, 2, 1);
            return null;
        }
        YamlNode? Child(string key) => map.Children.TryGetValue(new YamlScalarNode(key), out var v) ? v : null;
        int LineOf(YamlNode node) => (int)node.Start.Line + 1;

        var nameNode = Child("name");
        var name = (nameNode as YamlScalarNode)?.Value;
        var ok = true;
        if (string.IsNullOrWhiteSpace(name))
        {
            diagnostics.Error(DiagnosticCodes.BadSkillName, $"The frontmatter of {FileName} has no 'name'; set it to the folder name '{folderName}'.", file, nameNode is null ? 2 : LineOf(nameNode), 1);
            ok = false;
        }
        else if (!IsSafeName(name))
        {
            diagnostics.Error(DiagnosticCodes.BadSkillName, $"Skill name '{name}' must be lowercase letters, digits and '-', at most {MaxNameLength} characters.", file, LineOf(nameNode!), (int)nameNode!.Start.Column);
            ok = false;
        }
        else if (name != folderName)
        {
            diagnostics.Error(DiagnosticCodes.BadSkillName, $"Skill name '{name}' differs from its folder skills/{folderName}/; make them the same.", file, LineOf(nameNode!), (int)nameNode!.Start.Column);
            ok = false;
        }

        var descriptionNode = Child("description");
        var description = (descriptionNode as YamlScalarNode)?.Value;
        if (string.IsNullOrWhiteSpace(description))
        {
            diagnostics.Error(DiagnosticCodes.BadSkillDescription, $"The frontmatter of {FileName} needs a non-empty 'description' saying what the skill does and when to use it.",
                file, descriptionNode is null ? 2 : LineOf(descriptionNode), 1);
            ok = false;
        }
        else if (description.Length > MaxDescriptionLength)
        {
            diagnostics.Error(DiagnosticCodes.BadSkillDescription, $"The skill description has {description.Length} characters; keep it to {MaxDescriptionLength}.",
                file, LineOf(descriptionNode!), (int)descriptionNode!.Start.Column);
            ok = false;
        }
        return ok ? new SkillModel { Name = name!, Description = description!.Trim(), Path = BundlePath(name!) } : null;
    }
}
