using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace CapaKit.Tool.Agents;

/// <summary>
/// The first thing `mcp --http` does with a request: without <c>Authorization: Bearer &lt;the server's token&gt;</c> it is
/// answered 401 and goes no further, so no tool runs. Any local process (any user's) can reach a port on 127.0.0.1;
/// the token is what sets the agent that was given it apart.
/// </summary>
internal sealed class McpBearerCheck(string token)
{
    private const string Scheme = "Bearer ";

    // Compared as SHA-256 digests with a constant-time compare: the time taken says nothing about the token, not even its length.
    private readonly byte[] _expected = SHA256.HashData(Encoding.UTF8.GetBytes(token));

    public async Task Filter(HttpContext context, RequestDelegate next)
    {
        if (!IsAuthorized(context.Request.Headers.Authorization))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"capakit\"";
            await context.Response.WriteAsync(
                "CAPA0530: this MCP server needs its token; send Authorization: Bearer <token> (dotnet capakit agent init --http writes it into your agent's configuration).\n",
                context.RequestAborted);
            return;
        }
        await next(context);
    }

    public bool IsAuthorized(StringValues authorization)
    {
        if (authorization.Count != 1 || authorization[0] is not { } value || !value.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(value[Scheme.Length..].Trim()));
        return CryptographicOperations.FixedTimeEquals(presented, _expected);
    }
}
