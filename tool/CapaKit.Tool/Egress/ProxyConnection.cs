using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace CapaKit.Tool.Egress;

/// <summary>
/// Serves one client connection of the egress proxy: reads one request head, asks the policy, then either
/// tunnels (CONNECT) or forwards one plain-HTTP exchange and closes.
/// </summary>
internal sealed class ProxyConnection(
    Socket client,
    EgressPolicy policy,
    EgressProxyOptions options,
    ILogger logger,
    Action<EgressDecision> recordDecision)
{
    /// <summary>A TLS alert record (type 21, version 3.3, length 2): fatal (2) access_denied (49).</summary>
    private static readonly byte[] AccessDeniedAlert = [21, 3, 3, 0, 2, 2, 49];

    private readonly NetworkStream _clientStream = new(client, ownsSocket: true);

    public async Task RunAsync(CancellationToken stopping)
    {
        try
        {
            await ServeAsync(stopping).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException or InvalidDataException)
        {
            // Resets, timeouts, malformed bodies and shutdown all end just this connection.
            EgressLog.ConnectionEnded(logger, e.Message);
        }
        finally
        {
            await _clientStream.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task ServeAsync(CancellationToken stopping)
    {
        var clientReader = new BufferedHttpReader(_clientStream);
        (HeadReadStatus Status, string Head) head;
        using (var headDeadline = CancellationTokenSource.CreateLinkedTokenSource(stopping))
        {
            // Each connection has its own deadline, so a client that trickles its head only ever holds itself up.
            headDeadline.CancelAfter(options.HeaderTimeout);
            try
            {
                head = await clientReader.ReadHeadAsync(options.MaxHeaderBytes, headDeadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
            {
                await FailAsync(408, EgressRefusalMessage.HeadersTimedOut, stopping).ConfigureAwait(false);
                return;
            }
        }

        switch (head.Status)
        {
            case HeadReadStatus.Closed or HeadReadStatus.Truncated:
                return;
            case HeadReadStatus.TooLarge:
                await FailAsync(431, EgressRefusalMessage.HeadersTooLarge(options.MaxHeaderBytes), stopping).ConfigureAwait(false);
                return;
        }

        if (!HttpHeadParser.TryParseRequest(head.Head, out var request, out var error))
        {
            await FailAsync(400, EgressRefusalMessage.Malformed(error), stopping).ConfigureAwait(false);
            return;
        }

        if (request.Method == "CONNECT")
        {
            await TunnelAsync(request, clientReader, stopping).ConfigureAwait(false);
        }
        else
        {
            await ForwardAsync(request, clientReader, stopping).ConfigureAwait(false);
        }
    }

    private async Task TunnelAsync(HttpRequestHead request, BufferedHttpReader clientReader, CancellationToken stopping)
    {
        if (!AbsoluteHttpTarget.TryParseAuthority(request.Target, defaultPort: null, out var host, out var port))
        {
            await FailAsync(400, EgressRefusalMessage.Malformed("CONNECT needs host:port"), stopping).ConfigureAwait(false);
            return;
        }

        if (await OpenUpstreamAsync(request.Method, host, port, stopping).ConfigureAwait(false) is not ({ } upstream, { } allowed))
        {
            return;
        }

        await using var upstreamStream = new NetworkStream(upstream, ownsSocket: true);
        using var idle = new IdleDeadline(options.IdleTimeout, stopping);
        await _clientStream.WriteAsync("HTTP/1.1 200 Connection Established\r\n\r\n"u8.ToArray(), idle.Token).ConfigureAwait(false);

        // Clients may send their first TLS bytes right behind the CONNECT head; nothing goes up before the whole ClientHello is checked.
        var opening = await ReadClientHelloAsync(clientReader.TakeBuffered(), idle, stopping).ConfigureAwait(false);
        if (opening is null || opening.ClientClosed)
        {
            return;
        }

        if (TunnelServerNameCheck.Refusal(allowed.Host, opening.Hello) is { } reason)
        {
            recordDecision(allowed with { Verdict = EgressVerdict.ServerNameMismatch, Addresses = [], Reason = reason });
            EgressLog.Refused(logger, request.Method, allowed.Host, port, EgressVerdict.ServerNameMismatch, reason);
            if (opening.Hello.Status == ClientHelloStatus.Complete)
            {
                // A fatal access_denied alert: the TLS client reports a refusal instead of a bare reset.
                await _clientStream.WriteAsync(AccessDeniedAlert, idle.Token).ConfigureAwait(false);
            }

            return;
        }

        await upstreamStream.WriteAsync(opening.Bytes, idle.Token).ConfigureAwait(false);
        await TunnelPump.RunAsync(client, _clientStream, upstream, upstreamStream, idle).ConfigureAwait(false);
    }

    /// <summary>The tunnel's first bytes up to a whole ClientHello, within the head timeout; null when the client sent none in time.</summary>
    private async Task<TunnelServerNameCheck.Opening?> ReadClientHelloAsync(ReadOnlyMemory<byte> early, IdleDeadline idle, CancellationToken stopping)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(idle.Token);
        deadline.CancelAfter(options.HeaderTimeout);
        try
        {
            return await TunnelServerNameCheck.ReadAsync(early, _clientStream, idle, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            EgressLog.ConnectionEnded(logger, "no TLS ClientHello in time");
            return null;
        }
    }

    private async Task ForwardAsync(HttpRequestHead request, BufferedHttpReader clientReader, CancellationToken stopping)
    {
        if (!AbsoluteHttpTarget.TryParse(request.Target, out var target, out var error)
            || !HttpBodyFraming.TryForRequest(request.Headers, out var requestFraming, out error))
        {
            await FailAsync(400, EgressRefusalMessage.Malformed(error), stopping).ConfigureAwait(false);
            return;
        }

        if (await OpenUpstreamAsync(request.Method, target.Host, target.Port, stopping).ConfigureAwait(false) is not ({ } upstream, _))
        {
            return;
        }

        await using var upstreamStream = new NetworkStream(upstream, ownsSocket: true);
        using var idle = new IdleDeadline(options.IdleTimeout, stopping);
        await upstreamStream.WriteAsync(HttpHeadWriter.UpstreamRequest(request, target), idle.Token).ConfigureAwait(false);

        // The body goes up while the answer comes down: a registry may answer (413, 401) before the upload ends.
        var upload = UploadAsync(requestFraming, clientReader, upstreamStream, idle);
        var responseStarted = false;
        try
        {
            var upstreamReader = new BufferedHttpReader(upstreamStream);
            while (true)
            {
                var (status, head) = await upstreamReader.ReadHeadAsync(options.MaxHeaderBytes, idle.Token).ConfigureAwait(false);
                if (status != HeadReadStatus.Complete
                    || !HttpHeadParser.TryParseResponse(head, out var response, out _)
                    || !HttpBodyFraming.TryForResponse(request.Method, response, out var responseFraming, out _)
                    || response.StatusCode == 101)
                {
                    if (!responseStarted)
                    {
                        await FailAsync(502, EgressRefusalMessage.BadUpstreamResponse, stopping).ConfigureAwait(false);
                    }

                    return;
                }

                responseStarted = true;
                var dropContentLength = response.Headers.Contains("Transfer-Encoding");
                await _clientStream.WriteAsync(HttpHeadWriter.ClientResponse(response, dropContentLength), idle.Token).ConfigureAwait(false);
                if (response.IsInterim)
                {
                    continue;
                }

                await HttpBodyRelay.CopyAsync(responseFraming, upstreamReader, _clientStream, idle).ConfigureAwait(false);
                return;
            }
        }
        finally
        {
            if (!upload.IsCompleted)
            {
                idle.Expire();
            }

            await upload.ConfigureAwait(false);
        }
    }

    private static async Task UploadAsync(HttpBodyFraming framing, BufferedHttpReader clientReader, Stream upstream, IdleDeadline idle)
    {
        try
        {
            await HttpBodyRelay.CopyAsync(framing, clientReader, upstream, idle).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException or InvalidDataException)
        {
            // A broken upload ends the exchange; the response side sees the expired deadline.
            idle.Expire();
        }
    }

    /// <summary>Asks the policy and connects to the checked addresses; answers the client and returns null when that fails.</summary>
    private async Task<(Socket Socket, EgressDecision Decision)?> OpenUpstreamAsync(string method, string host, int port, CancellationToken stopping)
    {
        EgressDecision decision;
        using (var budget = CancellationTokenSource.CreateLinkedTokenSource(stopping))
        {
            budget.CancelAfter(options.ConnectTimeout);
            try
            {
                decision = await policy.EvaluateAsync(host, port, budget.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
            {
                decision = new EgressDecision(host, port, EgressVerdict.Unresolvable, [], "DNS lookup timed out");
            }
        }

        decision = decision with { Method = method };
        recordDecision(decision);
        if (!decision.Allowed)
        {
            EgressLog.Refused(logger, method, decision.Host, port, decision.Verdict, decision.Reason);
            await FailAsync(EgressRefusalMessage.StatusCodeFor(decision.Verdict), EgressRefusalMessage.For(decision, policy), stopping).ConfigureAwait(false);
            return null;
        }

        var (upstream, error) = await UpstreamConnector.ConnectAsync(decision, options.ConnectTimeout, stopping).ConfigureAwait(false);
        if (upstream is null)
        {
            EgressLog.ConnectFailed(logger, decision.Host, port, error);
            await FailAsync(502, EgressRefusalMessage.ConnectFailed(decision, error), stopping).ConfigureAwait(false);
            return null;
        }

        EgressLog.Allowed(logger, method, decision.Host, port, upstream.RemoteEndPoint?.ToString() ?? "?");
        return (upstream, decision);
    }

    private Task FailAsync(int statusCode, string message, CancellationToken stopping) =>
        ProxyErrorResponse.SendAndCloseAsync(client, _clientStream, statusCode, message, stopping);
}
