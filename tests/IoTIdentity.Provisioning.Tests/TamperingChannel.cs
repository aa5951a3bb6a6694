using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Protocol.Messages;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>Wraps a channel to alter, delay or duplicate what a device sends (the adversary in the negative tests).</summary>
public sealed class TamperingChannel(IEnrollmentChannel inner) : IEnrollmentChannel
{
    public Func<RegisterRequest, RegisterRequest> Register { get; init; } = r => r;
    public Func<AttestRequest, AttestRequest> Attest { get; init; } = a => a;
    public TimeSpan DelayBeforeAttest { get; init; }
    public List<ChallengeResponse> Challenges { get; } = [];
    public List<AttestRequest> Attests { get; } = [];

    public string DeviceId => inner.DeviceId;

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
        return await inner.AttestAsync(sent, cancellationToken);
    }
}
