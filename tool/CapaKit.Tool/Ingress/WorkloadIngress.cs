using System.Net.Sockets;

namespace CapaKit.Tool.Ingress;

/// <summary>
/// One run of a workload as its clients (the gateway, the mesh, the readiness wait) reach it: the ingress socket and
/// the sandbox process that must be listening there. A new run is a new instance.
/// </summary>
/// <param name="sandboxProcessId">The process the runtime started for this run (the sandbox launcher); see <see cref="IngressConnector"/>.</param>
/// <param name="refused">Told each refusal's message (each distinct one once, up to a cap), so the runtime can log it under the workload's name.</param>
public sealed class WorkloadIngress(string workload, string socketPath, int sandboxProcessId, Action<string>? refused = null)
{
    /// <summary>A workload that keeps planting sockets cannot fill the log: past this many distinct refusals a run logs no more.</summary>
    private const int MaxReportedRefusals = 20;

    private readonly HashSet<string> _reported = new(StringComparer.Ordinal);

    public string Workload { get; } = workload;
    public string SocketPath { get; } = socketPath;
    public int SandboxProcessId { get; } = sandboxProcessId;

    /// <summary>A connection to this run's own listener; see <see cref="IngressConnector.ConnectAsync"/> for what it throws.</summary>
    public async Task<Socket> ConnectAsync(CancellationToken ct)
    {
        try
        {
            return await IngressConnector.ConnectAsync(Workload, SocketPath, SandboxProcessId, ct).ConfigureAwait(false);
        }
        catch (IngressRefusedException e)
        {
            Report(e.Message);
            throw;
        }
    }

    private void Report(string message)
    {
        if (refused is null)
        {
            return;
        }
        string? line = null;
        lock (_reported)
        {
            if (_reported.Contains(message))
            {
                return;
            }
            if (_reported.Count < MaxReportedRefusals)
            {
                _reported.Add(message);
                line = message;
            }
            else if (_reported.Add(""))
            {
                line = $"CapaKit refused {MaxReportedRefusals} different sockets at the ingress of '{Workload}' in this run; further refusals are not logged.";
            }
        }
        if (line is not null)
        {
            refused(line);
        }
    }
}
