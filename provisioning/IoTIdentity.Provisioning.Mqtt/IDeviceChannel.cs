namespace IoTIdentity.Provisioning.Mqtt;

/// <summary>
/// What the rest of the service needs from the MQTT side, whichever <see cref="MqttMode"/> runs: send a device a
/// command, close a device's live sessions, and say whether device traffic can flow. The embedded
/// <see cref="MqttEndpoint"/> and the <see cref="ExternalBrokerClient"/> implement it.
/// </summary>
public interface IDeviceChannel
{
    /// <summary>
    /// Sends <paramref name="payload"/> to <c>iotid/v1/{deviceId}/cmd</c> (QoS 1, not retained); only a connected device
    /// subscribed to its command topic receives it.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="deviceId"/> is not a valid device id.</exception>
    Task PublishCommandAsync(string deviceId, byte[] payload, CancellationToken cancellationToken = default);

    /// <summary>
    /// Disconnects every live MQTT session of <paramref name="deviceId"/> (e.g. on revocation) where this process can;
    /// returns how many were closed (always 0 behind an external broker, where that is the broker's job).
    /// </summary>
    Task<int> CloseSessionsAsync(string deviceId, CancellationToken cancellationToken = default);

    /// <summary>
    /// The id of <paramref name="deviceId"/>'s certificate-authenticated session on this channel, or null when it holds
    /// none (always null behind an external broker, whose sessions are the broker's). With <paramref name="askLiveness"/>
    /// the session's connection is asked, in the background for up to the held-session grace, whether its peer is still
    /// there, which ends it if not (the question a certificate CONNECT meeting that session asks): for monitoring, when a
    /// device's session on another silo suggests this one is dead. Returns at once.
    /// </summary>
    Task<string?> AuthenticatedSessionAsync(string deviceId, bool askLiveness, CancellationToken cancellationToken = default);

    /// <summary>The channel's state now, for <c>/healthz</c>.</summary>
    MqttChannelHealth Health { get; }

    /// <summary>
    /// Whether the channel reaches only the devices connected to this silo (an embedded broker per silo), so a caller
    /// that must reach a device anywhere in the cluster asks every silo; false when a shared broker routes to every device.
    /// </summary>
    bool ReachesOnlyThisSilo { get; }
}

/// <summary>The MQTT side's state as <c>/healthz</c> reports it.</summary>
/// <param name="Mode"><c>embedded</c> or <c>external</c>.</param>
/// <param name="State">
/// Embedded: <c>listening</c> or <c>stopped</c>. External: <c>connecting</c>, <c>connected</c>, <c>reconnecting</c> or
/// <c>stopped</c>.
/// </param>
/// <param name="Healthy">Whether device requests can reach this silo now.</param>
/// <param name="Broker">The external broker's <c>host:port</c>; null when embedded.</param>
/// <param name="LastError">Why the last connection attempt failed or the connection dropped, while not connected.</param>
public sealed record MqttChannelHealth(string Mode, string State, bool Healthy, string? Broker = null, string? LastError = null);
