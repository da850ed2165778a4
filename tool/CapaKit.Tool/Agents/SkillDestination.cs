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
    public static SkillDestination Global(string agent, string? home = null)
    {
        home ??= Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } set ? set : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (string.IsNullOrEmpty(home))
        {
            throw new CapaKitException(ExitCodes.Usage, "HOME is not set, so --global-skill has no user skills folder; set HOME or use --project-skill.");
        }
        return new(Path.Combine(Path.GetFullPath(home), AgentFolder(agent, "--global-skill"), "skills"), "--global-skill");
    }

    private static string AgentFolder(string agent, string option) => agent switch
    {
        "claude" => ".claude",
        "codex" => ".codex",
        _ => throw new CapaKitException(ExitCodes.Usage, $"CAPA0411: Unknown agent '{agent}' for {option}; use one of {string.Join(", ", SkillInstaller.Agents)}."),
    };
}
