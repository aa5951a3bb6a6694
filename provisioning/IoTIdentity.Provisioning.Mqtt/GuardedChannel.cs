using System.Buffers;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using MQTTnet.Channel;
using MQTTnet.Exceptions;

namespace IoTIdentity.Provisioning.Mqtt;

/// <summary>
/// One accepted connection as MQTTnet's packet reader sees it: the (TLS) stream, every read passed through a
/// <see cref="PacketLengthGuard"/> before MQTTnet sees the bytes.
/// </summary>
internal sealed class GuardedChannel(Stream stream, bool secure, EndPoint? localEndPoint, EndPoint? remoteEndPoint, X509Certificate2? clientCertificate,
    PacketLengthGuard guard) : IMqttChannel
{
    public X509Certificate2? ClientCertificate => clientCertificate;

    public EndPoint? RemoteEndPoint => remoteEndPoint;

    public EndPoint? LocalEndPoint => localEndPoint;

    public bool IsSecureConnection => secure;

    public Task ConnectAsync(CancellationToken cancellationToken) => throw new NotSupportedException("an accepted connection is connected");

    public Task DisconnectAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        try
        {
            var read = await stream.ReadAsync(buffer.AsMemory(offset, count), cancellationToken).ConfigureAwait(false);
            return guard.Inspect(buffer.AsSpan(offset, read));
        }
        catch (ObjectDisposedException)
        {
            return 0;
        }
    }

    public async Task WriteAsync(ReadOnlySequence<byte> buffer, bool isEndOfPacket, CancellationToken cancellationToken)
    {
        try
        {
            foreach (var segment in buffer) await stream.WriteAsync(segment, cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            throw new MqttCommunicationException("The connection is closed.");
        }
    }

    public void Dispose() => stream.Dispose();
}
