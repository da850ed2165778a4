using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace CapaKit.Tool.Tests.Mesh;

/// <summary>
/// A TLS server that takes over a path where an outbound proxy expects the target's inbound proxy, presenting some
/// other certificate. Counts the application bytes it receives: a careful outbound proxy sends none.
/// </summary>
internal sealed class RogueTlsServer : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly X509Certificate2 _certificate;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _acceptLoop;
    private int _connections;
    private int _applicationBytes;

    public RogueTlsServer(string path, X509Certificate2 certificate)
    {
        _certificate = certificate;
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(path));
        _listener.Listen(16);
        _acceptLoop = AcceptLoopAsync();
    }

    public int Connections => Volatile.Read(ref _connections);

    public int ApplicationBytes => Volatile.Read(ref _applicationBytes);

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Dispose();
        await _acceptLoop;
    }

    private async Task AcceptLoopAsync()
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            Interlocked.Increment(ref _connections);
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(Socket client)
    {
        await using var tls = new SslStream(new NetworkStream(client, ownsSocket: true));
        try
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificateContext = SslStreamCertificateContext.Create(_certificate, null, offline: true),
                ClientCertificateRequired = false,
                EnabledSslProtocols = SslProtocols.Tls13,
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            }, deadline.Token);
            var buffer = new byte[4096];
            int read;
            while ((read = await tls.ReadAsync(buffer, deadline.Token)) > 0)
            {
                Interlocked.Add(ref _applicationBytes, read);
            }
        }
        catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException or SocketException)
        {
            // The outbound proxy walked away, as it should.
        }
    }
}
