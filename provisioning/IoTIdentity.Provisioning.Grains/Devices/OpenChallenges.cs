using System.Collections.Immutable;
using System.Security.Cryptography;
using IoTIdentity.Protocol;
using IoTIdentity.Protocol.Messages;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Grains.Enrollment;

namespace IoTIdentity.Provisioning.Grains.Devices;

/// <summary>
/// The few open challenges of one device, found by nonce. Anyone holding a device's public EK data can send its
/// <c>register</c>, so a register voids no open challenge except by the rules below: each stays until it is answered
/// (spent, success or failure), expires, or gives its place. At most <see cref="Limit"/> are open. When they are:
/// <list type="bullet">
/// <item>a renewal — authenticated by its proof signed with the device's current key — takes the place of the oldest
/// unauthenticated (enrol) challenge, so a stranger never delays an enrolled device's renewal;</item>
/// <item>an enrolment register takes the place of the oldest unauthenticated challenge of the source address holding the
/// most, when that source holds at least two more than the register's own source: a fair share per source. A source's
/// only challenge is therefore never taken by another source's register, and a stranger at one address (or one IPv6
/// /64) cannot keep a device at another from getting its challenge; only <see cref="Limit"/> sources, one challenge
/// each, can fill the places;</item>
/// <item>otherwise the register waits (<see cref="ProvisioningError.RateLimited"/> until the oldest expires).</item>
/// </list>
/// Registers whose source is unknown (an external broker) share one source.
/// </summary>
internal static class OpenChallenges
{
    /// <summary>The most challenges open at once per device.</summary>
    public const int Limit = 4;

    /// <summary>The open challenges with <paramref name="made"/> added, or the refusal when no place is free.</summary>
    public static Checked<ImmutableList<PendingChallenge>> Add(ImmutableList<PendingChallenge> open, PendingChallenge made, DateTimeOffset now)
    {
        var live = open.RemoveAll(c => c.ExpiresAt < now);
        if (live.Count >= Limit)
        {
            var unauthenticated = live.Where(c => c.Mode != RegisterModes.Renew).ToList();
            var replaced = made.Mode == RegisterModes.Renew ? unauthenticated.MinBy(c => c.ExpiresAt) : FairShare(unauthenticated, made.Source);
            if (replaced is null)
            {
                var wait = (int)Math.Ceiling((live.Min(c => c.ExpiresAt) - now).TotalSeconds);
                return new Refusal(ProvisioningError.RateLimited, $"{live.Count} challenges are open for this device", RetryAfterSeconds: Math.Max(1, wait));
            }
            live = live.Remove(replaced);
        }
        return live.Add(made);
    }

    /// <summary>
    /// The unauthenticated challenge an enrolment register from <paramref name="source"/> takes the place of: the oldest
    /// of the other source holding the most, if that source holds at least two more than <paramref name="source"/>.
    /// </summary>
    private static PendingChallenge? FairShare(List<PendingChallenge> unauthenticated, string? source)
    {
        var own = unauthenticated.Count(c => c.Source == source);
        var largest = unauthenticated.Where(c => c.Source != source).GroupBy(c => c.Source)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Min(c => c.ExpiresAt)).FirstOrDefault();
        return largest is not null && largest.Count() >= own + 2 ? largest.MinBy(c => c.ExpiresAt) : null;
    }

    /// <summary>The open challenge whose nonce is <paramref name="nonce"/> (constant-time compared), or null.</summary>
    public static PendingChallenge? Find(ImmutableList<PendingChallenge> open, byte[]? nonce) =>
        nonce is null ? null : open.FirstOrDefault(c => CryptographicOperations.FixedTimeEquals(c.Nonce, nonce));
}
