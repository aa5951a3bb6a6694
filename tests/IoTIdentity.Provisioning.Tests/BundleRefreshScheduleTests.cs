using IoTIdentity.Provisioning.Host.Api;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>The refresh schedule, over every kind of hint, every failure count and the whole range of random draws.</summary>
public sealed class BundleRefreshScheduleTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

    private static readonly BundleFetchOptions Options = new()
    {
        MinRefreshInterval = TimeSpan.FromSeconds(30), MaxRefreshInterval = TimeSpan.FromHours(1), DefaultRefreshInterval = TimeSpan.FromMinutes(5), RefreshJitter = 0.1,
    };

    private static readonly double[] Draws = [0, 0.25, 0.5, 0.999_999];

    public static TheoryData<int?> Hints => [null, -5, 0, 1, 29, 30, 31, 300, 3599, 3600, 3601, 86_400, int.MaxValue];

    [Theory]
    [MemberData(nameof(Hints))]
    public void After_a_success_the_next_fetch_is_the_bounded_hint_less_at_most_the_jitter(int? hint)
    {
        var bounded = hint is > 0 and { } h ? TimeSpan.FromSeconds(Math.Clamp((double)h, 30, 3600)) : Options.DefaultRefreshInterval;
        foreach (var draw in Draws)
        {
            var wait = BundleRefreshSchedule.AfterSuccess(Options, Now, hint, draw) - Now;
            Assert.InRange(wait, bounded * 0.9 - TimeSpan.FromMilliseconds(1), bounded);
        }
        Assert.Equal(Now + bounded, BundleRefreshSchedule.AfterSuccess(Options, Now, hint, 0));
    }

    [Fact]
    public void After_failures_the_wait_doubles_from_the_minimum_up_to_the_maximum_and_never_shrinks()
    {
        var previous = TimeSpan.Zero;
        for (var failures = 1; failures <= 64; failures++)
        {
            var wait = BundleRefreshSchedule.AfterFailure(Options, Now, failures, 0) - Now;
            var expected = TimeSpan.FromSeconds(Math.Min(30 * Math.Pow(2, failures - 1), 3600));
            Assert.Equal(expected, wait);
            Assert.True(wait >= previous);
            previous = wait;
            foreach (var draw in Draws)
                Assert.InRange(BundleRefreshSchedule.AfterFailure(Options, Now, failures, draw) - Now, expected * 0.9 - TimeSpan.FromMilliseconds(1), expected);
        }
    }
}
