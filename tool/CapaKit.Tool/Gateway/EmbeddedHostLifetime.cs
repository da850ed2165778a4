using Microsoft.Extensions.Hosting;

namespace CapaKit.Tool.Gateway;

/// <summary>
/// Replaces the host's console lifetime: the gateway lives inside the CLI, which owns Ctrl+C and SIGTERM and
/// stops the gateway itself. The console lifetime would swallow Ctrl+C for the whole process and stop the
/// gateway behind the runtime's back.
/// </summary>
internal sealed class EmbeddedHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
