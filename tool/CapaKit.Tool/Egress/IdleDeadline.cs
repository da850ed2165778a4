namespace CapaKit.Tool.Egress;

/// <summary>
/// A cancellation token that fires after a stretch with no traffic; every <see cref="Touch"/> pushes the deadline out.
/// </summary>
/// <remarks>Re-arming one timer costs nothing per read and needs no watchdog task per connection.</remarks>
internal sealed class IdleDeadline : IDisposable
{
    private readonly CancellationTokenSource _source;
    private readonly TimeSpan _idleTimeout;

    public IdleDeadline(TimeSpan idleTimeout, CancellationToken outer)
    {
        _idleTimeout = idleTimeout;
        _source = CancellationTokenSource.CreateLinkedTokenSource(outer);
        _source.CancelAfter(idleTimeout);
    }

    public CancellationToken Token => _source.Token;

    public void Touch()
    {
        try
        {
            _source.CancelAfter(_idleTimeout);
        }
        catch (ObjectDisposedException)
        {
            // The connection is already over.
        }
    }

    /// <summary>Ends the wait now, e.g. when the other direction of a connection failed.</summary>
    public void Expire()
    {
        try
        {
            _source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already over.
        }
    }

    public void Dispose() => _source.Dispose();
}
