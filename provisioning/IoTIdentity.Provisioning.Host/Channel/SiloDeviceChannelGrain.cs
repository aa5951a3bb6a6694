using IoTIdentity.Provisioning.Mqtt;
using Orleans.Concurrency;

namespace IoTIdentity.Provisioning.Host.Channel;

/// <summary>Acts on the device channel (embedded broker) and the CRL view of the silo this grain is pinned to.</summary>
[SiloPinnedPlacement, Reentrant]
public sealed class SiloDeviceChannelGrain(IDeviceChannel channel, RevocationView revocations) : Grain, ISiloDeviceChannelGrain
{
    /// <inheritdoc/>
    public Task CertificatesRevokedAsync(string tenantId, IReadOnlyCollection<string> serialNumbers)
    {
        revocations.Add(tenantId, serialNumbers);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<int> CloseSessionsAsync(string deviceId) => channel.Health.Healthy ? channel.CloseSessionsAsync(deviceId) : Task.FromResult(0);

    /// <inheritdoc/>
    public Task<string?> AuthenticatedSessionAsync(string deviceId, bool askLiveness) =>
        channel.Health.Healthy ? channel.AuthenticatedSessionAsync(deviceId, askLiveness) : Task.FromResult<string?>(null);

    /// <inheritdoc/>
    public async Task<bool> PublishCommandAsync(string deviceId, byte[] payload)
    {
        if (!channel.Health.Healthy) return false;
        await channel.PublishCommandAsync(deviceId, payload);
        return true;
    }
}
