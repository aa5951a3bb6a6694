using IoTIdentity.Protocol.Messages;

namespace IoTIdentity.DeviceAgent.Enrollment;

/// <summary>
/// The two protocol requests as <see cref="TpmEnrollment"/> needs them. <see cref="EnrollmentClient"/> sends them over
/// MQTT; tests and the simulator's adversarial devices wrap it to delay, replay or alter what is sent.
/// </summary>
public interface IEnrollmentChannel
{
    /// <summary>The device id the channel speaks for (the MQTT client id).</summary>
    string DeviceId { get; }

    /// <summary>1. register → challenge.</summary>
    Task<ChallengeResponse> RegisterAsync(RegisterRequest request, CancellationToken cancellationToken = default);

    /// <summary>2. attest → issued.</summary>
    Task<IssuedResponse> AttestAsync(AttestRequest request, CancellationToken cancellationToken = default);
}
