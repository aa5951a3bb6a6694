using IoTIdentity.Provisioning.Mqtt;
using Orleans.Concurrency;

namespace IoTIdentity.Provisioning.Sessions;

/// <summary>Closes sessions on the broker embedded in the silo this grain is pinned to.</summary>
[SiloPinnedPlacement, Reentrant]
public sealed class MqttSessionsGrain(MqttEndpoint endpoint) : Grain, IMqttSessionsGrain
{
    public Task<int> CloseAsync(string deviceId) => endpoint.CloseSessionsAsync(deviceId);
}
