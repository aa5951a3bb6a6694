using IoTIdentity.Protocol;
using MQTTnet.Adapter;
using MQTTnet.Packets;

namespace IoTIdentity.Provisioning.Mqtt;

/// <summary>
/// The embedded broker's session of a connection. An authenticated connection's session is its device id: one per
/// device, and a second is a clone signal (<see cref="AccessGate"/>). An enrolment-only connection proves nothing, and
/// anyone can connect as any device id, so while everything after enrolment needs the authenticated session
/// (<see cref="MqttEndpointOptions.RequireAuthenticatedSession"/>) its session is its own: the id it connected as, a
/// <c>#</c> and the connection's serial. MQTTnet takes a session over when a second client connects with its id, so
/// with the device id as its session a stranger who knew the id could end a device's first enrolment, connect after
/// connect. Now two enrolment-only connections of one device id never touch each other: each keeps its session, and
/// each gets the replies to its own requests, not the other's. A client cannot pick such an id itself: the <c>#</c> is
/// never in a device id, so a CONNECT that names one is refused.
/// </summary>
internal static class SessionIds
{
    private const char Separator = '#';

    /// <summary>The session of an enrolment-only connection of <paramref name="deviceId"/>, the <paramref name="serial"/>-th the endpoint accepted.</summary>
    public static string EnrolmentOnly(string deviceId, long serial) => $"{deviceId}{Separator}{serial:x}";

    /// <summary>The device id a session (a client id after CONNECT) belongs to.</summary>
    public static string DeviceOf(string sessionId)
    {
        var at = sessionId.IndexOf(Separator);
        return at < 0 ? sessionId : sessionId[..at];
    }

    /// <summary>Whether <paramref name="sessionId"/> is a session of <paramref name="deviceId"/> (its own id or one of its enrolment-only sessions).</summary>
    public static bool IsOf(string sessionId, string deviceId) =>
        sessionId.StartsWith(deviceId, StringComparison.Ordinal) && (sessionId.Length == deviceId.Length || sessionId[deviceId.Length] == Separator);
}

/// <summary>
/// An enrolment-only connection's channel (no client certificate): its CONNECT's client id, when it is a device id, is
/// given the connection's own session id (<see cref="SessionIds.EnrolmentOnly"/>) before MQTTnet looks for a session to
/// take over; <see cref="DeviceId"/> keeps the id the client connected as. Everything else passes through.
/// </summary>
internal sealed class EnrolmentOnlyChannelAdapter(IMqttChannelAdapter inner, long serial) : ForwardingChannelAdapter(inner)
{
    private bool _connectSeen;

    /// <summary>The device id the CONNECT named, once it has been given its session; null before, or when the id was not a device id.</summary>
    public string? DeviceId { get; private set; }

    /// <summary>The device id an admitted CONNECT on <paramref name="adapter"/> stands for: the one its client named, also when the session was given its own id.</summary>
    public static string ClaimedDeviceId(IMqttChannelAdapter adapter, string clientId) =>
        adapter is EnrolmentOnlyChannelAdapter { DeviceId: { } claimed } ? claimed : clientId;

    public override async Task<MqttPacket> ReceivePacketAsync(CancellationToken cancellationToken)
    {
        var packet = await base.ReceivePacketAsync(cancellationToken).ConfigureAwait(false);
        // the first packet is the CONNECT (MQTTnet refuses anything else first); later ones pass untouched
        if (!_connectSeen && packet is not null)
        {
            _connectSeen = true;
            if (packet is MqttConnectPacket connect && DeviceIds.IsValid(connect.ClientId))
            {
                DeviceId = connect.ClientId;
                connect.ClientId = SessionIds.EnrolmentOnly(connect.ClientId, serial);
            }
        }
        return packet!;
    }
}
