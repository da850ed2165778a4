using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CapaKit.Tool.Secrets;

/// <summary>
/// One workload's secrets bridge (CAPAKIT_RUNNER_BRIDGE_BIND): HTTP/1.1 on a unix socket (mode 0600; the sandbox
/// maps its uid to ours, so the workload can connect) answering <c>resolve_secret</c> for the secrets the workload
/// may use. Bad requests get an answer and never stop the server. Every resolution is logged and audited by
/// secret name, never by value.
/// </summary>
public sealed class SecretsBridge : IAsyncDisposable
{
    /// <summary>Audit entries kept in memory; older ones are dropped so a chatty workload cannot grow the runtime.</summary>
    public const int MaxAuditEntries = 10_000;

    /// <summary>sockaddr_un.sun_path is 108 bytes on Linux (104 on macOS), including the terminating NUL.</summary>
    private const int MaxSocketPathBytes = 103;

    /// <summary>A body may end its one line with "\r\n".</summary>
    private const int MaxBodyBytes = BridgeProtocol.MaxFrameBytes + 2;

    private readonly WebApplication _app;
    /// <summary>Name the workload asks for → name in the secret store.</summary>
    private readonly Dictionary<string, string> _allowed;
    private readonly ISecretSource _source;
    private readonly ILogger _logger;
    private readonly Queue<SecretResolution> _audit = new();
    private int _disposed;

    private SecretsBridge(WebApplication app, string socketPath, string workload, Dictionary<string, string> allowed, ISecretSource source, ILogger logger)
    {
        _app = app;
        SocketPath = socketPath;
        Workload = workload;
        _allowed = allowed;
        _source = source;
        _logger = logger;
    }

    public string SocketPath { get; }

    public string Workload { get; }

    /// <summary>What this workload asked for and got, oldest first (names and outcomes only).</summary>
    public IReadOnlyList<SecretResolution> Audit
    {
        get
        {
            lock (_audit)
            {
                return [.. _audit];
            }
        }
    }

    /// <param name="allowedSecrets">What the workload may resolve (see <see cref="SecretGrants.For"/>).</param>
    /// <param name="ct">Aborts the start only; the bridge serves until disposed.</param>
    public static Task<SecretsBridge> StartAsync(string socketPath, string workload, IReadOnlyCollection<string> allowedSecrets,
        ISecretSource source, ILogger logger, CancellationToken ct) =>
        StartAsync(socketPath, workload, allowedSecrets.ToDictionary(s => s, s => s, StringComparer.Ordinal), source, logger, ct);

    /// <param name="allowedSecrets">What the workload may resolve, by the name it asks for → the name in <paramref name="source"/>.</param>
    public static async Task<SecretsBridge> StartAsync(string socketPath, string workload, IReadOnlyDictionary<string, string> allowedSecrets,
        ISecretSource source, ILogger logger, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(socketPath);
        ArgumentException.ThrowIfNullOrEmpty(workload);
        ArgumentNullException.ThrowIfNull(allowedSecrets);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(logger);

        var path = Path.GetFullPath(socketPath);
        RemoveStaleSocket(path);

        // The empty builder reads no environment variables or settings files: nothing outside can add listeners.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "CapaKit.SecretsBridge" });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
        // Only the caller (and the sandbox, which maps its uid to the caller's) may connect: mode 0600 from the start.
        builder.Services.Configure<SocketTransportOptions>(o => o.CreateBoundListenSocket = endpoint => BindPrivately(endpoint, path));
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = null; // enforced by the handler, which answers with the bridge's own 413
            kestrel.Limits.MaxRequestHeadersTotalSize = 16 * 1024;
            kestrel.Limits.MaxConcurrentConnections = 64;
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
            kestrel.ListenUnixSocket(path, listen => listen.Protocols = HttpProtocols.Http1);
        });
        var app = builder.Build();
        var bridge = new SecretsBridge(app, path, workload, new Dictionary<string, string>(allowedSecrets, StringComparer.Ordinal), source, logger);
        app.Run(bridge.HandleAsync);
        try
        {
            await app.StartAsync(ct).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            if (e is IOException or SocketException)
            {
                throw new CapaKitException(ExitCodes.Tool, $"Could not listen on {path} for the secrets bridge ({e.Message}); check that its folder exists and is writable.");
            }
            throw;
        }
        SecretsLog.Listening(logger, workload, path, bridge._allowed.Count == 0 ? "nothing" : string.Join(", ", bridge._allowed.Keys.Order(StringComparer.Ordinal)));
        return bridge;
    }

    /// <summary>Stops serving and removes the socket file.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        File.Delete(SocketPath);
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.Path != BridgeProtocol.Path)
        {
            await PlainAsync(context, StatusCodes.Status404NotFound, $"not found: the bridge serves POST {BridgeProtocol.Path}");
            return;
        }
        if (!HttpMethods.IsPost(request.Method))
        {
            context.Response.Headers.Allow = "POST";
            await PlainAsync(context, StatusCodes.Status405MethodNotAllowed, $"method not allowed: the bridge serves POST {BridgeProtocol.Path}");
            return;
        }
        if (!BridgeProtocol.IsBridgeContentType(request.ContentType))
        {
            await PlainAsync(context, StatusCodes.Status415UnsupportedMediaType, $"unsupported content type: send {BridgeProtocol.ContentType}");
            return;
        }

        var body = await ReadBodyAsync(request, context.RequestAborted);
        var frame = body is null ? default : TrimLineBreak(body);
        if (body is null || frame.Length > BridgeProtocol.MaxFrameBytes)
        {
            // Too large to read its id; the status says what happened and the line says it in words.
            SecretsLog.BadRequest(_logger, Workload, "frame over 4 MiB");
            context.Response.Headers.Connection = "close"; // do not drain the rest of a huge body
            await AnswerAsync(context, StatusCodes.Status413PayloadTooLarge,
                BridgeProtocol.Error(null, $"the request frame is larger than {BridgeProtocol.MaxFrameBytes} bytes (4 MiB); send a smaller one"));
            return;
        }

        var call = BridgeProtocol.Parse(frame.Span);
        if (call.Problem is not null)
        {
            SecretsLog.BadRequest(_logger, Workload, call.Problem);
            await AnswerAsync(context, StatusCodes.Status200OK, BridgeProtocol.Error(call.Id, call.Problem));
            return;
        }
        if (call.Op == BridgeProtocol.WorkloadReady)
        {
            // The newest SDK says so once it listens; a hint to look at the ingress now, never a requirement.
            WorkloadReadyReported?.Invoke();
            await AnswerAsync(context, StatusCodes.Status200OK, BridgeProtocol.OkNull(call.Id));
            return;
        }
        await AnswerAsync(context, StatusCodes.Status200OK, Resolve(call));
    }

    /// <summary>Raised when the workload sends <c>workload_ready</c> (the newest SDK does once its ingress listens).</summary>
    public event Action? WorkloadReadyReported;

    private byte[] Resolve(BridgeCall call)
    {
        var name = call.SecretName!;
        if (!_allowed.TryGetValue(name, out var stored))
        {
            Record(name, SecretOutcome.NotDeclared);
            return BridgeProtocol.Error(call.Id,
                $"secret {name} is not declared for workload {Workload}; list it under the workload's `secrets` (and the Kit's top-level `secrets`) in capability.yml");
        }
        string value;
        try
        {
            if (!_source.TryGet(stored, out value))
            {
                Record(name, SecretOutcome.NotSet);
                return BridgeProtocol.Error(call.Id, $"secret {name} has no value; set it on the host with `dotnet capakit secrets set {stored}`");
            }
        }
        catch (Exception e) when (e is CapaKitException or IOException or UnauthorizedAccessException)
        {
            // Our store's messages name files and lines, never values.
            Record(name, SecretOutcome.Unavailable);
            return BridgeProtocol.Error(call.Id, $"secret {name} could not be read: {e.Message}");
        }
        var answer = BridgeProtocol.Ok(call.Id, value);
        if (answer.Length - 1 > BridgeProtocol.MaxFrameBytes)
        {
            Record(name, SecretOutcome.Unavailable);
            return BridgeProtocol.Error(call.Id, $"secret {name} is too large for a bridge frame (4 MiB); store a smaller value");
        }
        Record(name, SecretOutcome.Granted);
        return answer;
    }

    private void Record(string secret, SecretOutcome outcome)
    {
        if (outcome == SecretOutcome.Granted)
        {
            SecretsLog.Granted(_logger, Workload, secret);
        }
        else
        {
            SecretsLog.Refused(_logger, Workload, secret, outcome);
        }
        lock (_audit)
        {
            if (_audit.Count == MaxAuditEntries)
            {
                _audit.Dequeue();
            }
            _audit.Enqueue(new SecretResolution(DateTimeOffset.UtcNow, Workload, secret, outcome));
        }
    }

    /// <summary>The whole body, or null as soon as it is known to be over the limit (from Content-Length or while reading).</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return null;
        }
        using var buffer = new MemoryStream(request.ContentLength is { } length ? (int)length : 1024);
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return null;
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static ReadOnlyMemory<byte> TrimLineBreak(byte[] body)
    {
        var end = body.Length;
        if (end > 0 && body[end - 1] == '\n') end--;
        if (end > 0 && body[end - 1] == '\r') end--;
        return body.AsMemory(0, end);
    }

    private static async Task AnswerAsync(HttpContext context, int status, byte[] line)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = BridgeProtocol.ContentType;
        context.Response.ContentLength = line.Length;
        await context.Response.Body.WriteAsync(line, context.RequestAborted);
    }

    private static async Task PlainAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(message + "\n", context.RequestAborted);
    }

    /// <summary>Deletes a socket file left by a runtime that died, but never one a live process still answers on.</summary>
    private static void RemoveStaleSocket(string path)
    {
        var length = Encoding.UTF8.GetByteCount(path);
        if (length > MaxSocketPathBytes)
        {
            throw new CapaKitException(ExitCodes.Tool,
                $"The bridge socket path {path} is {length} bytes, over the {MaxSocketPathBytes}-byte limit of unix sockets; use a shorter runtime folder.");
        }
        if (!File.Exists(path))
        {
            return;
        }
        using (var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            try
            {
                probe.Connect(new UnixDomainSocketEndPoint(path));
            }
            catch (SocketException)
            {
                File.Delete(path); // nobody listens: a leftover
                return;
            }
        }
        throw new CapaKitException(ExitCodes.Tool, $"Another process already serves {path}; stop it (or use another runtime folder) and run again.");
    }

    /// <summary>Binds like Kestrel does, then narrows the mode before Kestrel listens, so nobody can connect while it is wider.</summary>
    private static Socket BindPrivately(EndPoint endpoint, string path)
    {
        var socket = SocketTransportOptions.CreateDefaultBoundListenSocket(endpoint);
        try
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return socket;
    }
}
