using System.Net.Sockets;
using System.Text;

namespace CapaKit.Tool.Tests.Egress;

/// <summary>A raw client of the egress proxy's unix socket, as the in-sandbox relay would be.</summary>
internal sealed class ProxyTestClient : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private ProxyTestClient(Socket socket)
    {
        Socket = socket;
        Stream = new NetworkStream(socket, ownsSocket: true);
    }

    public Socket Socket { get; }

    public NetworkStream Stream { get; }

    public static async Task<ProxyTestClient> ConnectAsync(string socketPath)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath)).WaitAsync(Patience);
        return new ProxyTestClient(socket);
    }

    public Task SendAsync(string text) => Stream.WriteAsync(Encoding.Latin1.GetBytes(text)).AsTask().WaitAsync(Patience);

    /// <summary>Reads until the blank line that ends a response head; returns the head.</summary>
    public async Task<string> ReadHeadAsync()
    {
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await Stream.ReadAsync(one).AsTask().WaitAsync(Patience) == 0)
            {
                break;
            }

            head.Append((char)one[0]);
        }

        return head.ToString();
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes.</summary>
    public async Task<string> ReadExactlyAsync(int count)
    {
        var buffer = new byte[count];
        await Stream.ReadExactlyAsync(buffer).AsTask().WaitAsync(Patience);
        return Encoding.Latin1.GetString(buffer);
    }

    /// <summary>Reads until the proxy closes the connection (a reset counts as closed).</summary>
    public async Task<string> ReadToEndAsync()
    {
        var all = new MemoryStream();
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await Stream.ReadAsync(buffer).AsTask().WaitAsync(Patience)) > 0)
            {
                all.Write(buffer, 0, read);
            }
        }
        catch (IOException)
        {
            // ECONNRESET after the answer: the connection is closed either way.
        }

        return Encoding.Latin1.GetString(all.ToArray());
    }

    public async ValueTask DisposeAsync() => await Stream.DisposeAsync();
}
