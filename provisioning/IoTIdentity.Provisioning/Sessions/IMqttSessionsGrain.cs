namespace IoTIdentity.Provisioning.Sessions;

/// <summary>
/// The MQTT sessions of one silo's embedded broker (key = the silo's address, <see cref="SiloAddress.ToParsableString"/>;
/// the grain always lives on that silo).
/// </summary>
public interface IMqttSessionsGrain : IGrainWithStringKey
{
    /// <summary>Disconnects every connection of <paramref name="deviceId"/> on this silo and drops its session; returns how many were connected.</summary>
    Task<int> CloseAsync(string deviceId);
}
