using Microsoft.Extensions.Logging;

namespace CapaKit.Tool.Mesh;

/// <summary>Keeps the most recent handshake events (bounded, so a long run does not grow without end) and logs each one.</summary>
internal sealed class MeshEventLog(ILogger logger, int capacity)
{
    private readonly Queue<MeshEvent> _events = new();

    public IReadOnlyList<MeshEvent> Snapshot()
    {
        lock (_events)
        {
            return [.. _events];
        }
    }

    public void Add(MeshEvent meshEvent)
    {
        lock (_events)
        {
            _events.Enqueue(meshEvent);
            while (_events.Count > capacity)
            {
                _events.Dequeue();
            }
        }

        if (meshEvent.Accepted)
        {
            MeshLog.Accepted(logger, meshEvent.Kind, meshEvent.Source, meshEvent.Target, meshEvent.PeerSpiffeId, meshEvent.Protocol);
        }
        else
        {
            MeshLog.Refused(logger, meshEvent.Kind, meshEvent.Source, meshEvent.Target, meshEvent.PeerSpiffeId, meshEvent.Reason);
        }
    }
}
