using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace CapaKit.Tool.Gateway;

/// <summary>
/// Rewrites one forwarded request: the path the route computed, the client's own <c>Host</c> (so a workload's
/// absolute links and same-origin checks see the address the user typed), and <c>X-Forwarded-*</c>. Headers
/// and hop-by-hop handling are YARP's.
/// </summary>
internal sealed class GatewayTransformer(GatewayMatch match) : HttpTransformer
{
    public override async ValueTask TransformRequestAsync(
        HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken).ConfigureAwait(false);

        var request = httpContext.Request;
        proxyRequest.RequestUri = RequestUtilities.MakeDestinationAddress(destinationPrefix, new PathString(match.UpstreamPath), request.QueryString);
        proxyRequest.Headers.Host = request.Host.HasValue ? request.Host.Value : null;

        // The gateway is the edge (only local clients reach it), so it states these facts instead of appending
        // to whatever a client claimed.
        Set(proxyRequest, "X-Forwarded-For", httpContext.Connection.RemoteIpAddress?.ToString());
        Set(proxyRequest, "X-Forwarded-Proto", request.Scheme);
        Set(proxyRequest, "X-Forwarded-Host", request.Host.HasValue ? request.Host.Value : null);
        Set(proxyRequest, "X-Forwarded-Prefix", match.Route.ExposePath == "/" ? null : match.Route.ExposePath);
    }

    private static void Set(HttpRequestMessage request, string name, string? value)
    {
        request.Headers.Remove(name);
        if (value is not null)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
    }
}
