using System.Collections.Concurrent;

namespace CapaKit.Tool.Sandbox;

/// <summary>
/// Starts every sandbox process from one thread that lives as long as this process.
/// </summary>
/// <remarks>
/// bwrap's <c>--die-with-parent</c> is <c>PR_SET_PDEATHSIG</c>, and Linux sends that signal when the <em>thread</em>
/// that forked bwrap exits, not when its process does. A sandbox started from a thread-pool thread was SIGKILLed as
/// soon as the pool retired that thread after it sat idle: every workload of a quiet Kit "exited with code 137" and
/// restarted about 40 s after <c>up</c>, and a long <c>bun install</c> could be killed the same way. Forking from a
/// thread that never exits keeps the intended meaning: the sandboxes die with the supervisor process, and only then.
/// </remarks>
internal static class SandboxStartThread
{
    private static readonly BlockingCollection<Action> Work = [];
    private static Thread? _thread;

    static SandboxStartThread()
    {
        var thread = new Thread(() =>
        {
            foreach (var item in Work.GetConsumingEnumerable())
            {
                item();
            }
        })
        {
            IsBackground = true,
            Name = "capakit sandbox starter",
        };
        _thread = thread;
        thread.Start();
    }

    /// <summary>Runs <paramref name="start"/> on the long-lived thread and waits for it (directly when already there).</summary>
    public static T Run<T>(Func<T> start) =>
        Thread.CurrentThread == _thread ? start() : RunAsync(start).GetAwaiter().GetResult();

    /// <summary>Runs <paramref name="start"/> (which forks the sandbox) on the long-lived thread and returns its result.</summary>
    public static Task<T> RunAsync<T>(Func<T> start)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Work.Add(() =>
        {
            try
            {
                done.SetResult(start());
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        });
        return done.Task;
    }
}
