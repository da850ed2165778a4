using System.Net;
using System.Net.Sockets;

namespace CapaKit.Tool.Egress;

/// <summary>Opens the TCP connection for an allowed decision, trying only the addresses the policy checked, in order.</summary>
internal static class UpstreamConnector
{
    /// <returns>The connected socket, or null with <paramref name="error"/> set when every address failed.</returns>
    public static async Task<(Socket? Socket, string Error)> ConnectAsync(EgressDecision decision, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(timeout);

        // One black-holed address (an IPv6 answer on a host without IPv6 routing) must not use up the whole budget.
        var attemptTimeout = timeout / Math.Clamp(decision.Addresses.Count, 1, 3);
        var error = "no address to try";
        foreach (var address in decision.Addresses)
        {
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(budget.Token);
            attempt.CancelAfter(attemptTimeout);
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, decision.Port), attempt.Token).ConfigureAwait(false);
                return (socket, "");
            }
            catch (SocketException e)
            {
                error = $"{address}: {e.SocketErrorCode}";
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                error = $"{address}: timed out";
                if (budget.IsCancellationRequested)
                {
                    socket.Dispose();
                    return (null, $"timed out after {timeout.TotalSeconds:0} s");
                }
            }
            catch
            {
                socket.Dispose();
                throw;
            }

            socket.Dispose();
        }

        return (null, error);
    }
}
