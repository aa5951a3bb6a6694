using System.Text.Json;
using IoTIdentity.Protocol.Messages;
using IoTIdentity.Provisioning.Abstractions;

namespace IoTIdentity.Provisioning.Grains;

/// <summary>
/// Sends a signed command to a device: a fresh command id, the tenant's issuing CA signature over
/// <see cref="DeviceCommands.SignedBytes"/>, published on <c>iotid/v1/{deviceId}/cmd</c> wherever in the cluster the device is connected.
/// </summary>
public sealed class DeviceCommandPublisher(IGrainFactory grains, IDeviceSessions devices, TimeProvider clock)
{
    /// <summary>Signs and publishes a <paramref name="kind"/> command (a <see cref="DeviceCommandKinds"/> value); returns what was sent.</summary>
    public async Task<DeviceCommand> SendAsync(string tenantId, string deviceId, string kind, CancellationToken cancellationToken = default)
    {
        var command = await SignAsync(tenantId, deviceId, kind).ConfigureAwait(false);
        await PublishAsync(deviceId, command, cancellationToken).ConfigureAwait(false);
        return command;
    }

    /// <summary>
    /// A new signed <paramref name="kind"/> command, not sent yet (to keep it for re-delivery first). A request sent again
    /// passes the same <paramref name="commandId"/>, so a device that got both executes it once.
    /// </summary>
    public async Task<DeviceCommand> SignAsync(string tenantId, string deviceId, string kind, string? commandId = null)
    {
        var command = new DeviceCommand { CommandId = commandId ?? Guid.NewGuid().ToString("N"), Kind = kind, IssuedAt = clock.GetUtcNow() };
        var signature = await grains.GetGrain<ICertificateSignerGrain>(tenantId).SignDeviceCommandAsync(DeviceCommands.SignedBytes(deviceId, command));
        return command with { Signature = signature };
    }

    /// <summary>
    /// Publishes <paramref name="command"/> as it is (also to re-deliver one: devices execute an id once); false when no
    /// MQTT endpoint runs here (the command goes out when the device next subscribes).
    /// </summary>
    public Task<bool> PublishAsync(string deviceId, DeviceCommand command, CancellationToken cancellationToken = default) =>
        devices.PublishCommandAsync(deviceId, JsonSerializer.SerializeToUtf8Bytes(command, ProtocolJson.Default.DeviceCommand), cancellationToken);
}
