namespace CapaKit.Tool.Agents;

/// <summary>The AGENTS.md section that tells a coding agent to run a Kit's workload commands through CapaKit.</summary>
public static class AgentsMarkdown
{
    public const string Section = """
        ## Running this Kit's workloads (CapaKit)

        This repository is a CapaKit Kit. Every install, build, test and start of a workload runs in a single-use
        sandbox through CapaKit. **Never run `bun install`, `bun test`, `npm …` or a workload's scripts directly on
        the host**: the host is not the environment the workload runs in, and installs there run package scripts
        with your permissions.

        - Learn the workloads and their phases: `dotnet capakit build` (or the `kits_list` MCP tool).
        - Install dependencies (registry network only): `dotnet capakit exec <workload> --phase prepare -- bun install`
        - Build, test, run a script: `dotnet capakit exec <workload> -- bun test`
        - Start the whole Kit in the background: `dotnet capakit up -d`; see it with `dotnet capakit ps`,
          read its output with `dotnet capakit logs <workload>`, stop it with `dotnet capakit down`.
        - Run the Kit's own tests (capability-test.yml): `dotnet capakit test`

        ### Reading results

        - Add `--format json` to get one JSON document on stdout; progress and errors go to stderr.
          `exec --format json` returns `exitCode`, `timedOut`, `durationMs`, `stdout` and `stderr`;
          `test --format json` returns `passed`, `failed` and each test's `failures`.
        - `exec` passes the command's own exit code through. CapaKit's own failures use 2 (bad arguments or an
          unknown workload or phase), 3 (the Kit does not build), 4 (a missing prerequisite), 124 (the time limit
          stopped the command) and 125 (the sandbox could not be set up), with a one-sentence `error:` on stderr.
        - A command that is refused network or file access failed because of the Kit's policy in `capability.yml`;
          change the policy there rather than working around the sandbox.

        An MCP server with the same operations (`kits_list`, `exec`, `up`, `down`, `ps`, `logs`, `test`) runs with
        `dotnet capakit mcp`; `dotnet capakit agent init` configures it for Claude Code, Codex, Cursor and VS Code.
        """;
}
