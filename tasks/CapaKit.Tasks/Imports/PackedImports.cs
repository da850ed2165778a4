using System.Text.Json;
using System.Text.Json.Nodes;

namespace CapaKit.Tasks.Imports;

/// <summary>
/// <c>kit/imports.json</c>: a packed Kit cannot carry the paths of its project imports, so its build records which
/// package each path import became (pack turns a ProjectReference into a dependency on that project's package id).
/// </summary>
public static class PackedImports
{
    public static string Write(IEnumerable<(string Alias, string PackageId, string? Version)> imports)
    {
        var root = new JsonObject();
        foreach (var (alias, packageId, version) in imports.OrderBy(i => i.Alias, StringComparer.Ordinal))
        {
            root[alias] = new JsonObject { ["package"] = packageId, ["version"] = version };
        }
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    /// <summary>Alias → package id from an <c>imports.json</c> (a package's <c>kit/imports.json</c>, or one next to an unpacked Kit's manifest); empty when there is none.</summary>
    /// <exception cref="InvalidDataException">The file is not the map this SDK writes.</exception>
    public static IReadOnlyDictionary<string, string> ReadFile(string file)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!File.Exists(file))
        {
            return map;
        }
        try
        {
            if (JsonNode.Parse(File.ReadAllText(file)) is not JsonObject root)
            {
                throw new InvalidDataException($"{file} is not a JSON object of alias → {{package, version}}.");
            }
            foreach (var (alias, value) in root)
            {
                if (value is JsonObject entry && entry["package"] is JsonValue package && package.TryGetValue<string>(out var id) && id.Length > 0)
                {
                    map[alias] = id;
                }
                else
                {
                    throw new InvalidDataException($"{file} has no package id for '{alias}'.");
                }
            }
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{file} is not valid JSON: {e.Message}", e);
        }
        return map;
    }
}
