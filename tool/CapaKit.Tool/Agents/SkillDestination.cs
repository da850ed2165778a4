namespace CapaKit.Tool.Agents;

/// <summary>
/// An agent's skills folder that <c>up</c> installs into, and the option that asked for it (named in errors):
/// the project's (<c>--project-skill</c>: <c>&lt;root&gt;/.claude/skills</c>, <c>&lt;root&gt;/.codex/skills</c>) or the user's
/// (<c>--global-skill</c>: the same layout under <c>$HOME</c>, which every project of that agent sees).
/// </summary>
public sealed record SkillDestination(string Folder, string Option)
{
    public static SkillDestination Project(string agent, string projectRoot) =>
        new(Path.Combine(Path.GetFullPath(projectRoot), AgentFolder(agent, "--project-skill"), "skills"), "--project-skill");

    /// <param name="home">The user's home (default: <c>$HOME</c>, so a test or a sandboxed run can point it elsewhere).</param>
    /// <param name="environment">Reads an environment variable (default: this process's environment).</param>
    /// <remarks>
    /// The agents move their user folder when told to: Claude Code reads <c>CLAUDE_CONFIG_DIR</c> and Codex
    /// <c>CODEX_HOME</c>; an absolute value there wins over <c>$HOME/.claude</c> or <c>$HOME/.codex</c>.
    /// </remarks>
    public static SkillDestination Global(string agent, string? home = null, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var folder = AgentFolder(agent, "--global-skill");
        var moved = environment(agent == "claude" ? "CLAUDE_CONFIG_DIR" : "CODEX_HOME");
        if (moved is { Length: > 0 } && Path.IsPathRooted(moved))
        {
            return new(Path.Combine(Path.GetFullPath(moved), "skills"), "--global-skill");
        }
        home ??= environment("HOME") is { Length: > 0 } set ? set : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (string.IsNullOrEmpty(home))
        {
            throw new CapaKitException(ExitCodes.Usage, "HOME is not set, so --global-skill has no user skills folder; set HOME or use --project-skill.");
        }
        return new(Path.Combine(Path.GetFullPath(home), folder, "skills"), "--global-skill");
    }

    private static string AgentFolder(string agent, string option) => agent switch
    {
        "claude" => ".claude",
        "codex" => ".codex",
        _ => throw new CapaKitException(ExitCodes.Usage, $"CAPA0411: Unknown agent '{agent}' for {option}; use one of {string.Join(", ", SkillInstaller.Agents)}."),
    };
}
