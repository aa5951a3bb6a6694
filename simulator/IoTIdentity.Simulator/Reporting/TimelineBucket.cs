namespace IoTIdentity.Simulator.Reporting;

/// <summary>
/// One slice of a scenario's run: the flows that completed and failed in it, its completion rate, and the end-to-end
/// latency percentiles (arrival until done, milliseconds) of the ones that completed (0 when none did). The slices
/// of a report are equally wide and together cover exactly the run's wall time.
/// </summary>
/// <param name="StartSeconds">When the slice starts, seconds since the scenario started.</param>
/// <param name="Seconds">How long the slice is (sub-second for short runs).</param>
/// <param name="Completed">Flows that ended as expected in the slice.</param>
/// <param name="Failed">Flows that failed in the slice.</param>
/// <param name="CompletedPerSecond"><paramref name="Completed"/> divided by <paramref name="Seconds"/>.</param>
/// <param name="P50">Median end-to-end latency of the slice's completions.</param>
/// <param name="P99">99th percentile end-to-end latency of the slice's completions.</param>
public sealed record TimelineBucket(double StartSeconds, double Seconds, int Completed, int Failed, double CompletedPerSecond, double P50, double P99)
{
    /// <summary>Fewest slices a run is cut into, however short it is.</summary>
    public const int MinimumCount = 20;

    /// <summary>Most slices a run is cut into, however long it is.</summary>
    public const int MaximumCount = 300;

    /// <summary>
    /// How many equal slices a run of <paramref name="elapsed"/> is cut into: one a second, but never fewer than
    /// <see cref="MinimumCount"/> (a two-second run gets 100 ms slices) nor more than <see cref="MaximumCount"/>.
    /// </summary>
    public static int CountFor(TimeSpan elapsed) =>
        Math.Clamp((int)Math.Ceiling(elapsed.TotalSeconds), MinimumCount, MaximumCount);
}
