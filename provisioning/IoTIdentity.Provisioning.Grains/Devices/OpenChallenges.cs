using System.Collections.Immutable;
using System.Security.Cryptography;
using IoTIdentity.Protocol;
using IoTIdentity.Protocol.Messages;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Grains.Enrollment;

namespace IoTIdentity.Provisioning.Grains.Devices;

/// <summary>
/// The few open challenges of one device, found by nonce. Anyone holding a device's public EK data can send its
/// <c>register</c>, so a register never replaces or voids an open challenge: each stays until it is answered (spent,
/// success or failure) or expires. At most <see cref="Limit"/> are open; when they are, an enrolment register waits
/// (<see cref="ProvisioningError.RateLimited"/> until the oldest expires), while a renewal — authenticated by its proof
/// signed with the device's current key — takes the place of the oldest unauthenticated (enrol) challenge, so a
/// stranger can delay a first enrolment by one challenge lifetime at most and never an enrolled device's renewal.
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
            var oldestUnauthenticated = live.Where(c => c.Mode != RegisterModes.Renew).MinBy(c => c.ExpiresAt);
            if (made.Mode != RegisterModes.Renew || oldestUnauthenticated is null)
            {
                var wait = (int)Math.Ceiling((live.Min(c => c.ExpiresAt) - now).TotalSeconds);
                return new Refusal(ProvisioningError.RateLimited, $"{live.Count} challenges are open for this device", RetryAfterSeconds: Math.Max(1, wait));
            }
            live = live.Remove(oldestUnauthenticated);
        }
        return live.Add(made);
    }

    /// <summary>The open challenge whose nonce is <paramref name="nonce"/> (constant-time compared), or null.</summary>
    public static PendingChallenge? Find(ImmutableList<PendingChallenge> open, byte[]? nonce) =>
        nonce is null ? null : open.FirstOrDefault(c => CryptographicOperations.FixedTimeEquals(c.Nonce, nonce));
}
