using Microsoft.AspNetCore.Http;

namespace CapaKit.Tool.Gateway;

/// <summary>
/// Refuses requests that name another host or come from a web page of another origin. The gateway and the MCP
/// server listen on 127.0.0.1 only, but a page in the user's browser could still reach them by DNS rebinding (its
/// name resolving to 127.0.0.1: the Host header gives it away) or by a cross-site request (the Origin header).
/// The MCP specification asks servers to check Origin for this reason.
/// </summary>
internal static class LoopbackOnly
{
    public static async Task Filter(HttpContext context, RequestDelegate next)
    {
        var host = context.Request.Host.Host;
        var origin = context.Request.Headers.Origin.ToString();
        if (!IsLoopbackName(host) || (origin.Length > 0 && !(Uri.TryCreate(origin, UriKind.Absolute, out var o) && IsLoopbackName(o.Host))))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await context.Response.WriteAsync("Only local clients may use this server: the request named another host or came from another site's page.\n", context.RequestAborted);
            return;
        }
        await next(context);
    }

    private static bool IsLoopbackName(string host) =>
        host is "127.0.0.1" or "localhost" or "[::1]" or "::1";
}
