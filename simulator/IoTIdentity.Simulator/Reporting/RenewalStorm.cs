namespace IoTIdentity.Simulator.Reporting;

/// <summary>
/// The renewal storm of a capacity run: devices that enrolled and stayed connected renew over their live connection
/// (new AK and device key, full attestation, the request signed by the current key), ramped like the enrolments. The
/// steps' per-enrolment figures are per renewal here.
/// </summary>
public sealed record RenewalStorm
{
    /// <summary>Devices enrolled and connected that take turns renewing.</summary>
    public required int ConnectedDevices { get; init; }

    /// <summary>Every renewal step in the order run: the ramp, then 50 % and 80 % of the renewal capacity.</summary>
    public required IReadOnlyList<CapacityStep> Steps { get; init; }

    /// <summary>The highest achieved rate of a ramp step: sustained renewals per second.</summary>
    public required double CapacityPerSecond { get; init; }

    /// <summary>The step at 50 % of the renewal capacity.</summary>
    public CapacityStep? AtHalf { get; init; }

    /// <summary>The step at 80 % of the renewal capacity.</summary>
    public CapacityStep? AtEightyPercent { get; init; }

    /// <summary>The step at 50 % run again while the capacity run's idle connections are held.</summary>
    public CapacityStep? AtHalfBesideIdleConnections { get; init; }

    /// <summary>The last renewal ramp step (the one that broke, or the last one run).</summary>
    public CapacityStep? AtSaturation { get; init; }
}
