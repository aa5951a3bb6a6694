using IoTIdentity.Provisioning.Mqtt;
using Orleans.Concurrency;

namespace IoTIdentity.Provisioning.Channel;

/// <summary>Acts on the device channel (embedded broker) of the silo this grain is pinned to.</summary>
[SiloPinnedPlacement, Reentrant]
public sealed class SiloDeviceChannelGrain(IDeviceChannel channel) : Grain, ISiloDeviceChannelGrain
{
    /// <inheritdoc/>
    public Task<int> CloseSessionsAsync(string deviceId) => channel.CloseSessionsAsync(deviceId);

    /// <inheritdoc/>
    public Task PublishCommandAsync(string deviceId, byte[] payload) => channel.PublishCommandAsync(deviceId, payload);
}
