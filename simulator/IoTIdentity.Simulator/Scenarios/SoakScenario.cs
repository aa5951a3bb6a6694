using IoTIdentity.Simulator.Reporting;

namespace IoTIdentity.Simulator.Scenarios;

/// <summary>soak: a steady <c>--rate</c> of enrolments and renewals for <c>--duration</c>; fails on any error.</summary>
public sealed class SoakScenario : IFleetScenario
{
    /// <summary>The rate when none is given.</summary>
    public const double DefaultRate = 5;

    /// <summary>The duration when none is given.</summary>
    public static readonly TimeSpan DefaultDuration = TimeSpan.FromSeconds(60);

    /// <inheritdoc/>
    public string Name => "soak";

    /// <inheritdoc/>
    public string Description => $"A steady --rate (default {DefaultRate}/s) of enrolments, then renewals, for --duration (default {DefaultDuration.TotalSeconds} s); fails on any error";

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ScenarioReport>> RunAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var rate = context.Rate ?? DefaultRate;
        var duration = context.Duration ?? DefaultDuration;
        var report = await FleetScenarios.SoakAsync(context.Fleet, context.Client, rate, duration, cancellationToken,
            context.Phase("soak", (int)Math.Floor(rate * duration.TotalSeconds)));
        return [report];
    }
}
