namespace IoTIdentity.DeviceAgent;

/// <summary>Exponential backoff with "equal jitter": half the exponential delay fixed, half random.</summary>
public static class Backoff
{
    /// <summary>
    /// The delay before attempt <paramref name="attempt"/> (1-based): <c>min(max, initial·2^(attempt-1))</c>, of which
    /// the upper half is random; never shorter than the service's <paramref name="retryAfter"/>.
    /// </summary>
    public static TimeSpan Delay(TimeSpan initial, TimeSpan max, int attempt, TimeSpan? retryAfter = null, Random? random = null)
    {
        var exponential = initial * Math.Pow(2, Math.Clamp(attempt - 1, 0, 30));
        var capped = exponential > max ? max : exponential;
        var delay = capped / 2 + capped / 2 * (random ?? Random.Shared).NextDouble();
        return retryAfter is { } floor && floor > delay ? floor : delay;
    }
}
