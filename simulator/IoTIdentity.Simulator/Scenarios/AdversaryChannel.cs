using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Protocol.Messages;

namespace IoTIdentity.Simulator.Scenarios;

/// <summary>A device channel that alters what an attacker sends, around the real enrolment code.</summary>
public sealed class AdversaryChannel(IEnrollmentChannel inner, string? claimedDeviceId = null) : IEnrollmentChannel
{
    /// <summary>Changes the register request.</summary>
    public Func<RegisterRequest, RegisterRequest> Register { get; init; } = r => r;

    /// <summary>Changes the attest request.</summary>
    public Func<AttestRequest, AttestRequest> Attest { get; init; } = a => a;

    /// <inheritdoc/>
    public string DeviceId => claimedDeviceId ?? inner.DeviceId;

    /// <inheritdoc/>
    public Task<ChallengeResponse> RegisterAsync(RegisterRequest request, CancellationToken cancellationToken = default) =>
        inner.RegisterAsync(Register(request), cancellationToken);

    /// <inheritdoc/>
    public Task<IssuedResponse> AttestAsync(AttestRequest request, CancellationToken cancellationToken = default) =>
        inner.AttestAsync(Attest(request), cancellationToken);
}
