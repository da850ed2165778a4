using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using CapaKit.Tool.Output;
using CapaKit.Tool.Sandbox.Linux;

namespace CapaKit.Tool.Sandbox;

/// <summary>What a sandboxed command did.</summary>
public sealed record SandboxResult(int ExitCode, TimeSpan Duration, bool TimedOut, string? StandardOutput, string? StandardError);

/// <summary>
/// Starts a <see cref="SandboxInvocation"/> and waits for it: stdio passed through (or captured),
/// Ctrl-C and SIGTERM forwarded to the command inside, a time limit enforced.
/// </summary>
public static class SandboxProcess
{
    /// <summary>How long a command gets between the polite signal and SIGKILL.</summary>
    public static readonly TimeSpan GracePeriod = TimeSpan.FromSeconds(5);

    /// <param name="capture">Collect stdout/stderr (at most <paramref name="captureLimit"/> characters each, the tail) instead of passing them through.</param>
    /// <param name="onLine">Also hand every output line to this callback (true = stderr), e.g. to write a log; implies capture.</param>
    public static async Task<SandboxResult> RunAsync(SandboxInvocation invocation, TimeSpan? timeout, bool capture = false,
        int captureLimit = 64 * 1024, string? standardInput = null, CancellationToken ct = default, Action<string, bool>? onLine = null)
    {
        capture |= onLine is not null;
        var stopwatch = Stopwatch.StartNew();
        var stdout = new TailBuffer(captureLimit);
        var stderr = new TailBuffer(captureLimit);
        using var running = RunningSandbox.Start(invocation, capture ? (line, isError) =>
        {
            (isError ? stderr : stdout).AppendLine(line);
            onLine?.Invoke(line, isError);
        } : null, standardInput is not null);
        if (standardInput is not null)
        {
            await running.Process.StandardInput.WriteAsync(standardInput);
            running.Process.StandardInput.Close();
        }

        var timedOut = false;
        using var interrupt = ForwardSignals(running.Process, invocation.SandboxExecutable);
        using var deadline = timeout is { } limit && limit > TimeSpan.Zero ? new CancellationTokenSource(limit) : new CancellationTokenSource();
        using var either = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, ct);
        try
        {
            await running.Process.WaitForExitAsync(either.Token);
        }
        catch (OperationCanceledException)
        {
            timedOut = deadline.IsCancellationRequested;
            await StopAsync(running.Process, invocation.SandboxExecutable);
        }
        running.Process.WaitForExit();
        stopwatch.Stop();
        var exitCode = timedOut ? ExitCodes.Timeout : running.Process.ExitCode;
        return new SandboxResult(exitCode, stopwatch.Elapsed, timedOut, capture ? stdout.ToString() : null, capture ? stderr.ToString() : null);
    }

    /// <summary>SIGTERM to the command inside, then SIGKILL to the sandbox after the grace period (which takes everything inside with it).</summary>
    public static async Task StopAsync(Process process, string? sandboxExecutable)
    {
        SignalCommand(process, sandboxExecutable, Native.SIGTERM);
        using var grace = new CancellationTokenSource(GracePeriod);
        try
        {
            await process.WaitForExitAsync(grace.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
        }
    }

    /// <summary>
    /// Ctrl-C or SIGTERM to the tool goes to the command inside the sandbox, as a terminal would deliver it
    /// (the sandbox runs in its own session, so the terminal no longer reaches it). A second Ctrl-C kills it.
    /// </summary>
    private static IDisposable ForwardSignals(Process process, string? sandboxExecutable)
    {
        var interrupts = 0;
        var registrations = new List<PosixSignalRegistration>();
        foreach (var (signal, number) in new[] { (PosixSignal.SIGINT, Native.SIGINT), (PosixSignal.SIGTERM, Native.SIGTERM) })
        {
            registrations.Add(PosixSignalRegistration.Create(signal, context =>
            {
                context.Cancel = true;
                if (Interlocked.Increment(ref interrupts) > 1)
                {
                    try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                    return;
                }
                SignalCommand(process, sandboxExecutable, number);
            }));
        }
        return new Registrations(registrations);
    }

    /// <summary>Signals every process below the sandbox launcher except the launcher's own helpers (bwrap and its init).</summary>
    private static void SignalCommand(Process process, string? sandboxExecutable, int signal)
    {
        foreach (var pid in ProcessTree.Descendants(process.Id))
        {
            if (sandboxExecutable is not null && ProcessTree.ExecutableOf(pid) == sandboxExecutable)
            {
                continue;
            }
            Native.Kill(pid, signal);
        }
    }

    private sealed class Registrations(List<PosixSignalRegistration> items) : IDisposable
    {
        public void Dispose() => items.ForEach(r => r.Dispose());
    }

    /// <summary>Keeps the last <c>limit</c> characters of a stream.</summary>
    internal sealed class TailBuffer(int limit)
    {
        private readonly StringBuilder _text = new();
        private bool _cut;

        public void AppendLine(string line)
        {
            lock (_text)
            {
                _text.Append(line).Append('\n');
                if (_text.Length > limit)
                {
                    _text.Remove(0, _text.Length - limit);
                    _cut = true;
                }
            }
        }

        public override string ToString()
        {
            lock (_text)
            {
                return _cut ? "…" + _text : _text.ToString();
            }
        }
    }
}

/// <summary>
/// A started sandbox: the launcher process (whose exit is the command's exit) and what it owns until then.
/// The one place a sandbox process is created, for one-shot commands and supervised workloads alike.
/// </summary>
public sealed class RunningSandbox : IDisposable
{
    private readonly SandboxInvocation _invocation;
    private int _disposed;

    private RunningSandbox(SandboxInvocation invocation, Process process)
    {
        _invocation = invocation;
        Process = process;
    }

    public Process Process { get; }

    /// <param name="onLine">Receives stdout/stderr lines (true = stderr); null passes them through to ours.</param>
    /// <remarks>The fork happens on <see cref="SandboxStartThread"/>: --die-with-parent follows the forking thread.</remarks>
    public static RunningSandbox Start(SandboxInvocation invocation, Action<string, bool>? onLine, bool redirectInput = false) =>
        SandboxStartThread.Run(() => StartHere(invocation, onLine, redirectInput));

    private static RunningSandbox StartHere(SandboxInvocation invocation, Action<string, bool>? onLine, bool redirectInput)
    {
        var start = new ProcessStartInfo(invocation.FileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = onLine is not null,
            RedirectStandardError = onLine is not null,
            RedirectStandardInput = redirectInput,
        };
        foreach (var arg in invocation.Arguments)
        {
            start.ArgumentList.Add(arg);
        }
        // The sandbox clears its own environment; the launcher processes get none of ours either.
        start.Environment.Clear();
        start.Environment["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin";
        start.Environment["LANG"] = "C.UTF-8";
        foreach (var (name, value) in invocation.Environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = new Process { StartInfo = start };
        if (onLine is not null)
        {
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) onLine(e.Data, false); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) onLine(e.Data, true); };
        }
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            process.Dispose();
            throw new CapaKitException(ExitCodes.MissingPrerequisite, $"Could not start {invocation.FileName}: {e.Message}; run 'dotnet capakit doctor'.");
        }
        finally
        {
            invocation.ReleaseAfterStart();
        }
        StartupTrace.Mark("sandbox started");
        if (onLine is not null)
        {
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }
        return new RunningSandbox(invocation, process);
    }

    /// <summary>SIGTERM to the command inside, SIGKILL after the grace period; nothing once the run has ended and been disposed.</summary>
    public async Task StopAsync()
    {
        if (Volatile.Read(ref _disposed) == 1)
        {
            return;
        }
        try
        {
            await SandboxProcess.StopAsync(Process, _invocation.SandboxExecutable);
        }
        catch (InvalidOperationException) when (Volatile.Read(ref _disposed) == 1)
        {
            // The run ended (and its owner disposed it) while we were stopping it: stopped either way.
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        Process.Dispose();
        _invocation.Dispose();
    }
}

/// <summary>Reads the process tree from /proc.</summary>
internal static class ProcessTree
{
    public static List<int> Descendants(int root)
    {
        var result = new List<int>();
        var queue = new Queue<int>([root]);
        while (queue.Count > 0)
        {
            var pid = queue.Dequeue();
            foreach (var child in Children(pid))
            {
                result.Add(child);
                queue.Enqueue(child);
            }
        }
        return result;
    }

    public static IEnumerable<int> Children(int pid)
    {
        string[] tasks;
        try
        {
            tasks = Directory.GetDirectories($"/proc/{pid}/task");
        }
        catch (IOException) { yield break; }
        catch (UnauthorizedAccessException) { yield break; }
        foreach (var task in tasks)
        {
            string text;
            try
            {
                text = File.ReadAllText(Path.Combine(task, "children"));
            }
            catch (IOException) { continue; }
            catch (UnauthorizedAccessException) { continue; }
            foreach (var item in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (int.TryParse(item, out var child))
                {
                    yield return child;
                }
            }
        }
    }

    public static string? ExecutableOf(int pid)
    {
        try
        {
            return new FileInfo($"/proc/{pid}/exe").LinkTarget;
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }
}
