using System.Diagnostics;
using System.Text;

namespace CapaKit.Tool.Tests.Egress;

/// <summary>`bun relay.js &lt;socket&gt; &lt;port&gt; -- command...` run as a child process, with its output collected.</summary>
internal sealed class RelayProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource _firstLine = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private RelayProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (_stdout)
            {
                _stdout.AppendLine(e.Data);
            }

            _firstLine.TrySetResult();
        };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (_stderr)
            {
                _stderr.AppendLine(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int ProcessId => _process.Id;

    public string StandardOutput
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    public string StandardError
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public static RelayProcess Start(string relayScript, string socketPath, int port, params string[] command)
    {
        var start = new ProcessStartInfo(BunForTests.Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])[relayScript, socketPath, port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--", .. command])
        {
            start.ArgumentList.Add(argument);
        }

        // An inherited NO_PROXY must be overridden by the relay, so set one that would otherwise bypass the proxy.
        start.Environment["NO_PROXY"] = "*";
        return new RelayProcess(Process.Start(start) ?? throw new AssertFailedException("bun did not start."));
    }

    public Task FirstOutputLine => _firstLine.Task.WaitAsync(TimeSpan.FromSeconds(30));

    public async Task<int> WaitForExitAsync()
    {
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await _process.WaitForExitAsync(patience.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new AssertFailedException($"The relay did not exit within 60 s. stdout: {StandardOutput} stderr: {StandardError}");
        }

        // Drain the asynchronous output readers.
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }
}
