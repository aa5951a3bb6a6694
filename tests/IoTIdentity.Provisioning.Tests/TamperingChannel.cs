using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Protocol.Messages;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>Wraps a channel to alter, delay or duplicate what a device sends (the adversary in the negative tests).</summary>
public sealed class TamperingChannel(IEnrollmentChannel inner) : IEnrollmentChannel
{
    public Func<RegisterRequest, RegisterRequest> Register { get; init; } = r => r;
    public Func<AttestRequest, AttestRequest> Attest { get; init; } = a => a;
    public TimeSpan DelayBeforeAttest { get; init; }
    /// <summary>Keeps the attest (in <see cref="Attests"/>) instead of sending it, throwing <see cref="AttestHeldException"/>: a device that lost its connection, or an eavesdropper's copy.</summary>
    public bool HoldAttest { get; init; }
    public List<ChallengeResponse> Challenges { get; } = [];
    public List<AttestRequest> Attests { get; } = [];

    public string DeviceId => inner.DeviceId;

    /// <summary>Runs a device's enrolment or renewal over <paramref name="channel"/> up to its attest, and returns that attest unsent.</summary>
    public static async Task<AttestRequest> HeldAttestAsync(IEnrollmentChannel channel, Func<IEnrollmentChannel, Task<EnrollmentResult>> steps)
    {
        var holding = new TamperingChannel(channel) { HoldAttest = true };
        await Assert.ThrowsAsync<AttestHeldException>(() => steps(holding));
        return Assert.Single(holding.Attests);
    }

    public async Task<ChallengeResponse> RegisterAsync(RegisterRequest request, CancellationToken cancellationToken = default)
    {
        var challenge = await inner.RegisterAsync(Register(request), cancellationToken);
        Challenges.Add(challenge);
        return challenge;
    }

    public async Task<IssuedResponse> AttestAsync(AttestRequest request, CancellationToken cancellationToken = default)
    {
        if (DelayBeforeAttest > TimeSpan.Zero) await Task.Delay(DelayBeforeAttest, cancellationToken);
        var sent = Attest(request);
        Attests.Add(sent);
        if (HoldAttest) throw new AttestHeldException();
        return await inner.AttestAsync(sent, cancellationToken);
    }
}

/// <summary>Thrown by a <see cref="TamperingChannel"/> that holds its attest back (<see cref="TamperingChannel.HoldAttest"/>).</summary>
public sealed class AttestHeldException() : Exception("the attest is held back");
