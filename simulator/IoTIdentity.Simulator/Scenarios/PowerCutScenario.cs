using IoTIdentity.Simulator.Reporting;

namespace IoTIdentity.Simulator.Scenarios;

/// <summary>
/// power-cut: the fleet enrols and stays online on the sessions its certificates authenticate
/// (<see cref="OnlineFleet"/>); then the power goes — every device's connection ends without a word, nothing more
/// leaving the device (<see cref="PowerCut"/>) — and every device comes back and connects on its certificate, at
/// <c>--rate</c> or all at once, while the service still holds its old session (a device without a certificate it can
/// present comes back enrolment-only). It passes only if every device is back: a reconnect refused as a second session
/// (the clone signal) fails its device.
/// Needs CAP_NET_ADMIN (root; in a container, the capability itself): said before anything runs (<see cref="Unavailable"/>).
/// </summary>
public sealed class PowerCutScenario : IFleetScenario
{
    /// <inheritdoc/>
    public string Name => "power-cut";

    /// <inheritdoc/>
    public string Description => "The fleet enrols and stays online, then loses power at once (no DISCONNECT, no FIN) and every device reconnects on its certificate (needs root)";

    /// <inheritdoc/>
    public string? Unavailable => PowerCut.Unavailable();

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ScenarioReport>> RunAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        if (Unavailable is { } why) throw new ArgumentException(why);
        await using var online = new OnlineFleet(context.Fleet, context.Client);
        var enrol = await online.EnrolAsync("enrol", context.Rate, context.Phase("enrol", context.Fleet.Devices.Count), cancellationToken);
        var cut = await online.PowerCutAsync("power-cut", context.Rate, context.Phase("power-cut", enrol.Succeeded), cancellationToken);
        return [enrol, cut];
    }
}
