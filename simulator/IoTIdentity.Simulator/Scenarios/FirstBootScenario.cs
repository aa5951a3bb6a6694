using IoTIdentity.Simulator.Reporting;

namespace IoTIdentity.Simulator.Scenarios;

/// <summary>first-boot: every device of the fleet enrols once, at <c>--rate</c> arrivals per second or all at once.</summary>
public sealed class FirstBootScenario : IFleetScenario
{
    /// <inheritdoc/>
    public string Name => "first-boot";

    /// <inheritdoc/>
    public string Description => "Every device of the fleet enrols (at --rate devices/s, default as fast as possible)";

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ScenarioReport>> RunAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var (report, _) = await FleetScenarios.FirstBootAsync(context.Fleet, context.Client, cancellationToken, context.Rate,
            context.Phase("first-boot", context.Fleet.Devices.Count));
        return [report];
    }
}
