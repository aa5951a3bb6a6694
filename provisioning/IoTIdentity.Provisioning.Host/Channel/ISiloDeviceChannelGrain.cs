namespace IoTIdentity.Provisioning.Host.Channel;

/// <summary>
/// The device channel of one silo (key = the silo's address, <see cref="SiloAddress.ToParsableString"/>; the grain
/// always lives on that silo): what its embedded broker can do for devices connected to it.
/// </summary>
public interface ISiloDeviceChannelGrain : IGrainWithStringKey
{
    /// <summary>Disconnects every connection of <paramref name="deviceId"/> on this silo and drops its session; returns how many were connected (none while the broker is not running).</summary>
    Task<int> CloseSessionsAsync(string deviceId);

    /// <summary>The id of <paramref name="deviceId"/>'s authenticated session on this silo, if any; see <see cref="IoTIdentity.Provisioning.Mqtt.IDeviceChannel.AuthenticatedSessionAsync"/>.</summary>
    Task<string?> AuthenticatedSessionAsync(string deviceId, bool askLiveness);

    /// <summary>Publishes a command to <paramref name="deviceId"/>'s command topic on this silo's broker; false when it is not running.</summary>
    Task<bool> PublishCommandAsync(string deviceId, byte[] payload);

    /// <summary>Adds <paramref name="serialNumbers"/> to this silo's CRL view of <paramref name="tenantId"/>.</summary>
    Task CertificatesRevokedAsync(string tenantId, IReadOnlyCollection<string> serialNumbers);
}
