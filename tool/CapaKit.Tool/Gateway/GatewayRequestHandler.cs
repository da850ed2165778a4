using System.Net;
using CapaKit.Tool.Ingress;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace CapaKit.Tool.Gateway;

/// <summary>
/// Serves one request: route it, answer 404 (not exposed), 503 (target not running) or 502 (its ingress is not its
/// own, <see cref="IngressRefusedException"/>) itself, or stream it through YARP to the workload's ingress.
/// </summary>
internal sealed class GatewayRequestHandler(
    GatewayRouteTable routes, GatewayProtocolEndpoints protocolEndpoints, WorkloadIngressClients clients, IHttpForwarder forwarder,
    GatewayOptions options, ILogger logger)
{
    // The destination's host is a placeholder: the connect callback picks the socket, the transformer sets Host.
    private const string DestinationPrefix = "http://localhost";

    private readonly ForwarderRequestConfig _config = new()
    {
        ActivityTimeout = options.IdleTimeout,
        // Workload ingresses speak plain HTTP/1.1 on a unix socket; upgrades (WebSocket) ride on it.
        Version = HttpVersion.Version11,
        VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        AllowResponseBuffering = false,
    };

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var (handled, routed) = await protocolEndpoints.TryHandleAsync(context).ConfigureAwait(false);
        if (handled)
        {
            return;
        }
        var match = routed ?? routes.Match(request.Path.Value ?? "/");
        if (match is null)
        {
            await WriteTextAsync(context, StatusCodes.Status404NotFound, "Not found: nothing is exposed at this path.").ConfigureAwait(false);
            return;
        }

        var workload = match.Route.Workload;
        if (clients.IngressOf(workload) is null)
        {
            GatewayLog.Unavailable(logger, request.Method, request.Path, workload, "not running");
            await WriteTextAsync(context, StatusCodes.Status503ServiceUnavailable, $"Workload '{workload}' is not running.").ConfigureAwait(false);
            return;
        }

        var error = await forwarder.SendAsync(context, DestinationPrefix, clients.For(workload), _config, new GatewayTransformer(match)).ConfigureAwait(false);
        if (error == ForwarderError.None)
        {
            return;
        }

        var exception = context.GetForwarderErrorFeature()?.Exception;
        GatewayLog.ForwardFailed(logger, request.Method, request.Path, workload, error.ToString(), exception?.Message ?? "");
        if (context.Response.HasStarted)
        {
            return; // mid-stream: the status is gone; YARP has already aborted the exchange
        }
        if (Find<IngressRefusedException>(exception) is { } refused)
        {
            // Not the workload's own socket: the runtime logged why under the workload's name; the client learns as much.
            await WriteTextAsync(context, StatusCodes.Status502BadGateway, refused.Message).ConfigureAwait(false);
        }
        else if (Find<WorkloadUnreachableException>(exception) is { } unreachable)
        {
            // The workload stopped or has not opened its socket yet: a passing condition, not a broken gateway.
            await WriteTextAsync(context, StatusCodes.Status503ServiceUnavailable, unreachable.Message).ConfigureAwait(false);
        }
        else if (context.Response.StatusCode >= 500)
        {
            var text = context.Response.StatusCode == StatusCodes.Status504GatewayTimeout
                ? $"Workload '{workload}' did not answer in time."
                : $"Workload '{workload}' failed to answer.";
            await WriteTextAsync(context, context.Response.StatusCode, text).ConfigureAwait(false);
        }
    }

    private static async Task WriteTextAsync(HttpContext context, int status, string line)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.WriteAsync(line + "\n", context.RequestAborted).ConfigureAwait(false);
    }

    private static T? Find<T>(Exception? exception) where T : Exception
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is T found)
            {
                return found;
            }
        }
        return null;
    }
}
