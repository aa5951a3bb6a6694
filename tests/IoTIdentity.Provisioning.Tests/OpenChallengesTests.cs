using System.Collections.Immutable;
using IoTIdentity.Protocol;
using IoTIdentity.Protocol.Messages;
using IoTIdentity.Provisioning.Grains.Devices;
using Xunit;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// A device's open challenges against registers from many sources, in every order: at most four; a renewal always finds a
/// place while an unauthenticated challenge is open; an enrolment register takes a place only from a source holding at
/// least two more than its own, so a source's only challenge is never taken by another source, and a register is refused
/// only when no other source holds more than one more than its own. Properties over random timelines of registers
/// from one to seven sources, renewals, answers and expiries.
/// </summary>
public sealed class OpenChallengesTests
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(2);
    private static readonly DateTimeOffset Start = new(2026, 12, 6, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Every_timeline_keeps_the_fair_share_rules()
    {
        var random = new Random(30);
        var refusedWithNoneOfItsOwn = 0;
        for (var trial = 0; trial < 2_000; trial++)
        {
            var sources = Enumerable.Range(0, random.Next(1, 8)).Select(i => i == 0 && random.Next(4) == 0 ? null : $"198.51.100.{i}").ToArray();
            var open = ImmutableList<PendingChallenge>.Empty;
            var now = Start;
            for (var step = 0; step < 60; step++)
            {
                now += TimeSpan.FromSeconds(random.Next(0, 30));
                if (random.Next(8) == 0 && !open.IsEmpty)
                {
                    open = open.RemoveAt(random.Next(open.Count));   // answered (spent)
                    continue;
                }
                var live = open.RemoveAll(c => c.ExpiresAt < now);
                var made = Challenge(random.Next(6) == 0 ? RegisterModes.Renew : RegisterModes.Enroll, sources[random.Next(sources.Length)], now);
                var added = OpenChallenges.Add(open, made, now);
                var context = $"trial {trial} step {step}: {Describe(live)} + {made.Mode} from {made.Source ?? "(unknown)"}";
                if (added.IsRefused)
                {
                    Assert.Equal(ProvisioningError.RateLimited, added.Refusal.Error);
                    Assert.True(added.Refusal.RetryAfterSeconds >= 1, context);
                    Assert.True(live.Count == OpenChallenges.Limit, $"{context}: refused with a place free");
                    var unauthenticated = live.Where(c => c.Mode != RegisterModes.Renew).ToList();
                    if (made.Mode == RegisterModes.Renew) Assert.True(unauthenticated.Count == 0, $"{context}: a renewal refused beside a stranger's challenge");
                    else
                    {
                        var own = unauthenticated.Count(c => c.Source == made.Source);
                        Assert.True(unauthenticated.Where(c => c.Source != made.Source).GroupBy(c => c.Source).All(g => g.Count() <= own + 1),
                            $"{context}: refused while another source held two more than its own");
                        if (own == 0) refusedWithNoneOfItsOwn++;
                    }
                    continue;
                }
                var after = added.Value!;
                Assert.True(after.Count <= OpenChallenges.Limit, context);
                Assert.Contains(made, after);
                var gone = live.Where(c => !after.Contains(c)).ToList();
                Assert.True(gone.Count <= 1, context);
                if (gone.SingleOrDefault() is { } replaced)
                {
                    Assert.True(live.Count == OpenChallenges.Limit, $"{context}: a challenge replaced with a place free");
                    Assert.NotEqual(RegisterModes.Renew, replaced.Mode);
                    if (made.Mode != RegisterModes.Renew)
                    {
                        Assert.NotEqual(made.Source, replaced.Source);
                        var theirs = live.Count(c => c.Mode != RegisterModes.Renew && c.Source == replaced.Source);
                        var own = live.Count(c => c.Mode != RegisterModes.Renew && c.Source == made.Source);
                        Assert.True(theirs >= own + 2 && theirs >= 2, $"{context}: took the place of a source holding {theirs} against its own {own}");
                    }
                }
                open = after;
            }
        }
        // the timelines reach the case that matters: a source with no challenge refused (only when four others hold one each)
        Assert.True(refusedWithNoneOfItsOwn > 0);
    }

    [Fact]
    public void A_stranger_at_one_source_holding_every_place_cannot_keep_the_device_at_another_from_its_challenge()
    {
        var open = ImmutableList<PendingChallenge>.Empty;
        var now = Start;
        for (var i = 0; i < OpenChallenges.Limit; i++) open = OpenChallenges.Add(open, Challenge(RegisterModes.Enroll, "203.0.113.9", now), now).Value!;
        Assert.Equal(ProvisioningError.RateLimited, OpenChallenges.Add(open, Challenge(RegisterModes.Enroll, "203.0.113.9", now), now).Refusal?.Error);

        var device = Challenge(RegisterModes.Enroll, "192.0.2.1", now);
        open = OpenChallenges.Add(open, device, now).Value!;
        Assert.Contains(device, open);

        // however often the stranger comes back, from its source or a second one, the device's challenge stays
        foreach (var source in new[] { "203.0.113.9", "2001:db8:1::/64", "203.0.113.9", "2001:db8:1::/64", "203.0.113.9" })
        {
            var again = OpenChallenges.Add(open, Challenge(RegisterModes.Enroll, source, now), now);
            if (!again.IsRefused) open = again.Value!;
            Assert.Contains(device, open);
        }
    }

    private static PendingChallenge Challenge(string mode, string? source, DateTimeOffset now) => new()
    {
        Nonce = Guid.NewGuid().ToByteArray(), Secret = [], AkPublic = [], PcrSelection = [], ExpiresAt = now + Lifetime,
        TenantId = "t", GroupId = "g", Mode = mode, Source = source,
    };

    private static string Describe(IEnumerable<PendingChallenge> open) =>
        "[" + string.Join(", ", open.Select(c => $"{c.Mode}@{c.Source ?? "?"}")) + "]";
}
