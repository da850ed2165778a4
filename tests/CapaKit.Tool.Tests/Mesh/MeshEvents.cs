using CapaKit.Tool.Mesh;

namespace CapaKit.Tool.Tests.Mesh;

internal static class MeshEvents
{
    /// <summary>Waits for an event: a proxy records it just after its handshake ends, which may be after the peer noticed.</summary>
    public static async Task<MeshEvent> WaitForAsync(WorkloadMesh mesh, Func<MeshEvent, bool> match, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (mesh.Events.FirstOrDefault(match) is { } found)
            {
                return found;
            }
            await Task.Delay(20);
        }
        Assert.Fail($"No mesh event {what}; events: {string.Join("; ", mesh.Events)}");
        throw new InvalidOperationException();
    }
}
