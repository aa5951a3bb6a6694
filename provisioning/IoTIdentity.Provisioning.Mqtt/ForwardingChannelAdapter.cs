using System.Net;
using System.Security.Cryptography.X509Certificates;
using MQTTnet.Adapter;
using MQTTnet.Formatter;
using MQTTnet.Packets;

namespace IoTIdentity.Provisioning.Mqtt;

/// <summary>
/// A connection's MQTTnet channel adapter with something of the endpoint's beside it: everything passes through to
/// <paramref name="inner"/>, which it owns, and a subclass changes what it must (<see cref="EnrolmentOnlyChannelAdapter"/>)
/// or carries what the gate needs to find at CONNECT (<see cref="ProbedChannelAdapter"/>). MQTTnet's server uses a
/// channel adapter only through this interface.
/// </summary>
internal abstract class ForwardingChannelAdapter(IMqttChannelAdapter inner) : IMqttChannelAdapter
{
    public virtual Task<MqttPacket> ReceivePacketAsync(CancellationToken cancellationToken) => inner.ReceivePacketAsync(cancellationToken);
    public long BytesReceived => inner.BytesReceived;
    public long BytesSent => inner.BytesSent;
    public X509Certificate2 ClientCertificate => inner.ClientCertificate;
    public EndPoint RemoteEndPoint => inner.RemoteEndPoint;
    public EndPoint LocalEndPoint => inner.LocalEndPoint;
    public bool IsSecureConnection => inner.IsSecureConnection;
    public MqttPacketFormatterAdapter PacketFormatterAdapter => inner.PacketFormatterAdapter;
    public Task ConnectAsync(CancellationToken cancellationToken) => inner.ConnectAsync(cancellationToken);
    public Task DisconnectAsync(CancellationToken cancellationToken) => inner.DisconnectAsync(cancellationToken);
    public void ResetStatistics() => inner.ResetStatistics();
    public Task SendPacketAsync(MqttPacket packet, CancellationToken cancellationToken) => inner.SendPacketAsync(packet, cancellationToken);
    public void Dispose() => inner.Dispose();
}
