using System.Text;
using CapaKit.Bundle;

namespace CapaKit.Tool.Agents;

/// <summary>
/// <c>up --project-skill|--global-skill &lt;agent&gt;</c>: while a Kit runs, puts a generated <c>capakit-&lt;kit&gt;</c> skill (how to
/// reach and test the running Kit) and the Kit's own skills into an agent's project or user skills folder
/// (<see cref="SkillDestination"/>), and takes exactly those out again.
/// </summary>
public static class SkillInstaller
{
    /// <summary>The gateway's merged endpoints (<c>/mcp/all</c>, <c>/v1</c>), each null when the Kit has nothing behind it.</summary>
    public sealed record MergedEndpoints(string? Mcp, string? OpenAi);

    public static readonly IReadOnlyList<string> Agents = ["claude", "codex"];

    /// <summary>Written into every installed folder, so a folder the user made is never overwritten or removed.</summary>
    public const string Marker = ".capakit-installed";

    /// <summary>Reported when a skill folder already exists and was not put there by CapaKit.</summary>
    public const string ConflictCode = "CAPA0410";

    public static string GeneratedName(KitBundle bundle) => "capakit-" + bundle.Kit.Name;

    /// <summary>The folders <see cref="Install"/> would create; throws when one exists and is not CapaKit's.</summary>
    public static IReadOnlyList<string> Plan(KitBundle bundle, SkillDestination destination)
    {
        var targets = new[] { GeneratedName(bundle) }.Concat(bundle.Skills.Select(s => s.Name)).Select(n => Path.Combine(destination.Folder, n)).ToList();
        foreach (var target in targets.Where(t => Directory.Exists(t) && !File.Exists(Path.Combine(t, Marker))))
        {
            throw new CapaKitException(ExitCodes.Usage, $"{ConflictCode}: Skill folder {target} already exists and was not installed by CapaKit; move it away or drop {destination.Option}.");
        }
        return targets;
    }

    /// <summary>Installs the generated skill and the Kit's skills; returns the folders created, for <see cref="Remove"/>.</summary>
    public static IReadOnlyList<string> Install(KitBundle bundle, string bundleDirectory, string projectFile, IReadOnlyList<(string Path, Uri Url)> urls, SkillDestination destination,
        MergedEndpoints? merged = null)
    {
        var targets = Plan(bundle, destination);
        var installed = new List<string>();
        try
        {
            Write(targets[0], Encoding.UTF8.GetBytes(Generated(bundle, projectFile, urls, merged)), installed);
            for (var i = 0; i < bundle.Skills.Count; i++)
            {
                Write(targets[i + 1], File.ReadAllBytes(Path.Combine(bundleDirectory, bundle.Skills[i].Path)), installed);
            }
        }
        catch
        {
            // Half an install is worse than none: the agent would see skills for a Kit that is not up.
            Remove(installed);
            throw;
        }
        return installed;
    }

    /// <summary>Deletes the given skill folders, but only those still carrying CapaKit's marker.</summary>
    public static void Remove(IEnumerable<string> folders)
    {
        foreach (var folder in folders.Where(f => File.Exists(Path.Combine(f, Marker))))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void Write(string folder, byte[] skill, List<string> installed)
    {
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true); // a leftover of an earlier run that was killed
        }
        Directory.CreateDirectory(folder);
        installed.Add(folder);
        File.WriteAllText(Path.Combine(folder, Marker), "Installed by dotnet capakit up; removed when the Kit stops.\n");
        File.WriteAllBytes(Path.Combine(folder, "SKILL.md"), skill);
    }

    /// <summary>The generated SKILL.md: frontmatter, then the gateway URLs, exposed paths, endpoints and how to call and test them.</summary>
    public static string Generated(KitBundle bundle, string projectFile, IReadOnlyList<(string Path, Uri Url)> urls, MergedEndpoints? merged = null)
    {
        var kit = bundle.Kit.Name;
        var text = new StringBuilder();
        text.Append($"---\nname: {GeneratedName(bundle)}\n");
        text.Append($"description: \"Use the running CapaKit Kit '{kit}': its local gateway URLs, exposed endpoints, and how to call and test them.\"\n---\n\n");
        text.Append($"# Kit '{kit}' (running)\n\n");
        text.Append($"The Kit is running now under `dotnet capakit up` (project `{projectFile}`). This skill disappears when it stops.\n\n");
        text.Append("## Gateway URLs\n\n");
        foreach (var (path, url) in urls)
        {
            var expose = bundle.Expose.FirstOrDefault(e => e.Path == path);
            var endpoints = expose is null ? "default MCP endpoint" : string.Join(", ", expose.Endpoints);
            text.Append($"- `{path}` → {url} ({endpoints}{(expose is null ? "" : $"; workload `{expose.Target}`")})\n");
        }
        if (merged?.Mcp is { } mcp)
        {
            text.Append($"- every exposed MCP server's tools in one place (named `<path>.<tool>`) → {mcp}\n");
        }
        if (merged?.OpenAi is { } openAi)
        {
            text.Append($"- OpenAI-compatible base URL for all `oaic` endpoints (`/models`, `/chat/completions`, routed by model) → {openAi}\n");
        }
        text.Append("\n## Workload endpoints\n\n");
        foreach (var workload in bundle.Workloads.Values)
        {
            var endpoints = workload.Endpoints.Count == 0 ? "none" : string.Join(", ", workload.Endpoints.Select(e => $"{e.Protocol} at `{e.Path}`"));
            text.Append($"- `{workload.Name}`: {endpoints}\n");
        }
        text.Append("\n## How to call them\n\n");
        text.Append("- `mcp`: connect an MCP client (streamable HTTP) to the URL above, e.g. list tools with `tools/list`, then `tools/call`.\n");
        text.Append("- `http`: plain HTTP, e.g. `curl -s <url>`.\n");
        text.Append("- `oaic`: an OpenAI-compatible API under the URL (e.g. `<url>/v1/chat/completions`).\n");
        text.Append("- `a2a`: an agent-to-agent endpoint; start from its agent card (`<url>/.well-known/agent.json`).\n");
        text.Append("\nOnly 127.0.0.1 is served; no credentials are needed from this machine.\n\n");
        text.Append("## Tests and lifecycle\n\n");
        text.Append($"- Run the Kit's own tests: `dotnet capakit test {projectFile}`\n");
        text.Append($"- Status and logs (from `{Path.GetDirectoryName(projectFile)}`): `dotnet capakit ps`, `dotnet capakit logs -f`\n");
        text.Append($"- Stop it: `dotnet capakit down {projectFile}`\n");
        if (bundle.Skills.Count > 0)
        {
            text.Append("\n## The Kit's own skills\n\n");
            foreach (var skill in bundle.Skills)
            {
                text.Append($"- `{skill.Name}`: {skill.Description}\n");
            }
        }
        return text.ToString();
    }
}
