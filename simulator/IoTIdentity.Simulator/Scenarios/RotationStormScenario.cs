using IoTIdentity.Simulator.Reporting;

namespace IoTIdentity.Simulator.Scenarios;

/// <summary>rotation-storm: the fleet enrols (at <c>--rate</c>), then every enrolled device renews at once.</summary>
public sealed class RotationStormScenario : IFleetScenario
{
    /// <inheritdoc/>
    public string Name => "rotation-storm";

    /// <inheritdoc/>
    public string Description => "Every device enrols, then all renew at once";

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ScenarioReport>> RunAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var (firstBoot, results) = await FleetScenarios.FirstBootAsync(context.Fleet, context.Client, cancellationToken, context.Rate,
            context.Phase("first-boot", context.Fleet.Devices.Count));
        var storm = await FleetScenarios.RotationStormAsync(context.Fleet, context.Client, results, cancellationToken,
            context.Phase("rotation-storm", results.Count));
        return [firstBoot, storm];
    }
}
