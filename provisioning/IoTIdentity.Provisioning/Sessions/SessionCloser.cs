using Microsoft.Extensions.Logging;

namespace IoTIdentity.Provisioning.Sessions;

/// <summary>
/// Closes a device's live MQTT sessions on every silo of the cluster: a device may be connected to any silo's
/// embedded broker, so the call goes to each active silo's <see cref="IMqttSessionsGrain"/>. A silo that leaves
/// while this runs is skipped (its connections went with it).
/// </summary>
public sealed partial class SessionCloser(IGrainFactory grains, IClusterMembershipService membership, ILogger<SessionCloser> logger)
{
    /// <summary>Closes every session of <paramref name="deviceId"/>; returns how many connections were closed.</summary>
    public async Task<int> CloseAsync(string deviceId)
    {
        var silos = membership.CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress).ToList();
        var closed = await Task.WhenAll(silos.Select(async silo =>
        {
            try
            {
                return await grains.GetGrain<IMqttSessionsGrain>(silo.ToParsableString()).CloseAsync(deviceId);
            }
            catch (SiloUnavailableException e)
            {
                SiloGone(logger, e, silo.ToString(), deviceId);
                return 0;
            }
        }));
        return closed.Sum();
    }

    [LoggerMessage(LogLevel.Warning, "Silo {Silo} left before the sessions of {DeviceId} were closed on it")]
    private static partial void SiloGone(ILogger logger, Exception exception, string silo, string deviceId);
}
