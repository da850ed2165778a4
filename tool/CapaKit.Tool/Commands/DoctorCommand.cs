using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using CapaKit.Bundle;
using CapaKit.Tool.Bun;
using CapaKit.Tool.Output;
using CapaKit.Tool.Sandbox.Linux;
using CapaKit.Tool.Sandbox.Linux.Seccomp;
using Spectre.Console;

namespace CapaKit.Tool.Commands;

/// <summary><c>dotnet capakit doctor</c>: what this machine gives the sandbox, and what to do about what it lacks.</summary>
public static class DoctorCommand
{
    public sealed record Check(string Name, bool Ok, bool Required, string Detail);

    public static Command Create()
    {
        var doctor = new Command("doctor", "Check that this machine can run Kit sandboxes (bubblewrap, user namespaces, seccomp, cgroups, Bun).");
        doctor.SetAction(parse =>
        {
            var output = ConsoleOutput.From(parse);
            var checks = Run();
            if (output.Json)
            {
                output.WriteJson(new JsonArray([.. checks.Select(c => (JsonNode)new JsonObject
                {
                    ["name"] = c.Name, ["ok"] = c.Ok, ["required"] = c.Required, ["detail"] = c.Detail,
                })]));
            }
            else
            {
                var table = new Table().AddColumns("check", "", "detail");
                foreach (var c in checks)
                {
                    table.AddRow(Markup.Escape(c.Name), c.Ok ? "[green]ok[/]" : c.Required ? "[red]missing[/]" : "[yellow]limited[/]", Markup.Escape(c.Detail));
                }
                AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) }).Write(table);
            }
            return checks.Any(c => c.Required && !c.Ok) ? ExitCodes.MissingPrerequisite : ExitCodes.Ok;
        });
        return doctor;
    }

    public static List<Check> Run()
    {
        var checks = new List<Check>();
        if (OperatingSystem.IsMacOS())
        {
            checks.Add(new Check("sandbox-exec", File.Exists("/usr/bin/sandbox-exec"), true, "/usr/bin/sandbox-exec runs the Seatbelt profiles"));
        }
        else
        {
            var bwrap = File.Exists("/usr/bin/bwrap");
            checks.Add(new Check("bubblewrap", bwrap, true, bwrap ? Capture("/usr/bin/bwrap", "--version") : "install it: sudo apt-get install bubblewrap"));
            checks.Add(UserNamespaces(bwrap));
            checks.Add(Seccomp());
            checks.Add(new Check("prlimit", File.Exists("/usr/bin/prlimit"), true,
                File.Exists("/usr/bin/prlimit") ? "sets process, open-file and core-dump limits" : "install util-linux: sudo apt-get install util-linux"));
            var (cgroups, limitsProcesses, detail) = CgroupLimiter.Probe();
            checks.Add(new Check("cgroup limits", cgroups, false,
                cgroups ? detail : $"not delegated to this user ({detail}); memory and pid limits are not enforced, rlimits still are"));
            checks.Add(ProcessLimitCheck(cgroups, limitsProcesses, detail));
        }
        try
        {
            var bun = BunLocator.Find();
            checks.Add(new Check("bun", true, false, bun is null
                ? $"not found; Bun {BunProvisioner.PinnedVersion} is installed from the npm registry on first use"
                : $"{bun.Version} at {bun.Executable} ({bun.Source})"));
        }
        catch (CapaKitException e)
        {
            checks.Add(new Check("bun", false, true, e.Message));
        }
        return checks;
    }

    private static Check UserNamespaces(bool bwrap)
    {
        if (!bwrap)
        {
            return new Check("user namespaces", false, true, "needs bubblewrap");
        }
        var result = Capture("/usr/bin/bwrap", "--unshare-all", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "/bin/true");
        if (result.Length == 0)
        {
            return new Check("user namespaces", true, true, Environment.UserName == "root" ? "root" : "unprivileged user namespaces work");
        }
        var why = result;
        if (ReadInt("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == 1)
        {
            why = "AppArmor blocks unprivileged user namespaces (Ubuntu 24.04+); allow bwrap with an AppArmor profile (see /etc/apparmor.d/bwrap-userns-restrict) or set kernel.apparmor_restrict_unprivileged_userns=0";
        }
        else if (ReadInt("/proc/sys/kernel/unprivileged_userns_clone") == 0)
        {
            why = "the kernel forbids unprivileged user namespaces; set kernel.unprivileged_userns_clone=1";
        }
        else if (ReadInt("/proc/sys/user/max_user_namespaces") == 0)
        {
            why = "user.max_user_namespaces is 0; raise it (sysctl user.max_user_namespaces=10000)";
        }
        return new Check("user namespaces", false, true, why);
    }

    /// <summary>What bounds a sandbox's process count here: a pids cgroup (its own group or a systemd user scope), or RLIMIT_NPROC.</summary>
    private static Check ProcessLimitCheck(bool cgroups, bool limitsProcesses, string cgroupDetail)
    {
        const string name = "process limit";
        if (limitsProcesses)
        {
            return new Check(name, true, false, "a pids cgroup per sandbox counts its processes alone");
        }
        var scopeReason = "the sandbox's cgroup would be left for a scope";
        if (!cgroups && SystemdUserScope.Available(out scopeReason) is not null)
        {
            return new Check(name, true, false, "a systemd user scope per sandbox (TasksMax) counts its processes alone");
        }
        var uid = UserTasks.RealUid;
        var tasks = UserTasks.Count(uid);
        var detail = $"no pids cgroup ({(cgroups ? "no pids controller" : cgroupDetail)}; {scopeReason}): each sandbox gets RLIMIT_NPROC = the tasks uid {uid} runs then ({tasks} now) + its phase's budget, which your other processes share";
        if (uid == 0)
        {
            detail += "; the kernel does not apply RLIMIT_NPROC to root, so a root-started sandbox's processes are not bounded";
        }
        return new Check(name, false, false, detail);
    }

    private static Check Seccomp()
    {
        try
        {
            using var program = SeccompProgram.Compile(new SeccompPolicy { Rules = [new SeccompRule { Syscall = "ptrace" }] });
            return new Check("seccomp", true, true, $"libseccomp compiled a {program.Bpf.Length}-byte filter");
        }
        catch (SeccompException e)
        {
            return new Check("seccomp", false, true, e.Message);
        }
    }

    private static int? ReadInt(string path) =>
        File.Exists(path) && int.TryParse(File.ReadAllText(path).Trim(), out var value) ? value : null;

    /// <summary>Runs a program; returns its trimmed output when it fails or is a version query, "" on plain success.</summary>
    private static string Capture(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var text = (process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd()).Trim();
        process.WaitForExit();
        return process.ExitCode != 0 ? (text.Length > 0 ? text : $"exit code {process.ExitCode}") : args.Contains("--version") ? text : "";
    }
}
