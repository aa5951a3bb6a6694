using System.Net;
using System.Net.Sockets;

namespace IoTIdentity.Tpm.Tests.Transport;

/// <summary>
/// A scripted TCP peer on a free loopback port for misbehaviours no real TPM produces on demand (oversized,
/// truncated or stalled responses, wrong acknowledgements). Each accepted connection runs the script.
/// </summary>
internal sealed class FakeTcpPeer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private readonly List<Task> _connections = [];

    public FakeTcpPeer(Func<NetworkStream, CancellationToken, Task> script)
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptAsync(script);
    }

    public int Port { get; }

    /// <summary>Exceptions the script threw (other than the peer going away), for assertions.</summary>
    public List<Exception> Faults { get; } = [];

    public static async Task<byte[]> ReadExactlyAsync(NetworkStream stream, int count, CancellationToken cancellationToken)
    {
        var buffer = new byte[count];
        await stream.ReadExactlyAsync(buffer, cancellationToken);
        return buffer;
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        try { await _acceptLoop; } catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { }
        Task[] connections;
        lock (_connections) connections = [.. _connections];
        await Task.WhenAll(connections.Select(c => c.ContinueWith(_ => { }, TaskScheduler.Default)));
        _stop.Dispose();
    }

    private async Task AcceptAsync(Func<NetworkStream, CancellationToken, Task> script)
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            var connection = Task.Run(async () =>
            {
                using (client)
                {
                    try
                    {
                        await script(client.GetStream(), _stop.Token);
                    }
                    catch (Exception e) when (e is IOException or OperationCanceledException or EndOfStreamException or SocketException)
                    {
                    }
                    catch (Exception e)
                    {
                        lock (Faults) Faults.Add(e);
                    }
                }
            });
            lock (_connections) _connections.Add(connection);
        }
    }
}
