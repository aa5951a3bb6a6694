namespace IoTIdentity.Provisioning.Host.Api;

/// <summary>
/// When an external bundle is fetched next. After a success: its <c>spiffe_refresh_hint</c> (or
/// <see cref="BundleFetchOptions.DefaultRefreshInterval"/> without one), bounded by
/// <see cref="BundleFetchOptions.MinRefreshInterval"/> and <see cref="BundleFetchOptions.MaxRefreshInterval"/>. After the
/// n-th failure in a row: the minimum doubled n−1 times, up to the maximum. Either way up to
/// <see cref="BundleFetchOptions.RefreshJitter"/> of it is taken off at random (by the draw <c>unitRandom</c>, in [0, 1)).
/// Pure: the caller supplies the time and the random draw.
/// </summary>
public static class BundleRefreshSchedule
{
    /// <summary>The next fetch after a successful one at <paramref name="now"/>.</summary>
    public static DateTimeOffset AfterSuccess(BundleFetchOptions options, DateTimeOffset now, int? hintSeconds, double unitRandom) =>
        now + Jittered(options, Bounded(options, hintSeconds is > 0 and { } hint ? TimeSpan.FromSeconds(hint) : options.DefaultRefreshInterval), unitRandom);

    /// <summary>The next fetch after the <paramref name="failuresInARow"/>-th failure in a row at <paramref name="now"/>.</summary>
    public static DateTimeOffset AfterFailure(BundleFetchOptions options, DateTimeOffset now, int failuresInARow, double unitRandom)
    {
        var backoff = options.MinRefreshInterval;
        for (var i = 1; i < failuresInARow && backoff < options.MaxRefreshInterval; i++) backoff *= 2;
        return now + Jittered(options, Bounded(options, backoff), unitRandom);
    }

    /// <summary>When a bundle fetched at <paramref name="fetchedAt"/> stops being served.</summary>
    public static DateTimeOffset ExpiresAt(BundleFetchOptions options, DateTimeOffset fetchedAt) => fetchedAt + options.MaxBundleAge;

    private static TimeSpan Bounded(BundleFetchOptions options, TimeSpan interval) =>
        interval < options.MinRefreshInterval ? options.MinRefreshInterval : interval > options.MaxRefreshInterval ? options.MaxRefreshInterval : interval;

    private static TimeSpan Jittered(BundleFetchOptions options, TimeSpan interval, double unitRandom) =>
        interval * (1 - Math.Clamp(options.RefreshJitter, 0, 1) * Math.Clamp(unitRandom, 0, 1));
}
