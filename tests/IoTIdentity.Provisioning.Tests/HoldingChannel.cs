using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Protocol.Messages;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>Thrown by a <see cref="HoldingChannel"/> in place of sending the attest.</summary>
public sealed class AttestHeldException() : Exception("the attest is held back");

/// <summary>Sends a device's register and keeps its attest instead of sending it (a device that lost its connection, or an eavesdropper's copy).</summary>
public sealed class HoldingChannel
{
    public AttestRequest? Attest { get; private set; }

    public IEnrollmentChannel Over(IEnrollmentChannel inner) => new Holder(inner, this);

    private sealed class Holder(IEnrollmentChannel inner, HoldingChannel owner) : IEnrollmentChannel
    {
        public string DeviceId => inner.DeviceId;

        public Task<ChallengeResponse> RegisterAsync(RegisterRequest request, CancellationToken cancellationToken = default) =>
            inner.RegisterAsync(request, cancellationToken);

        public Task<IssuedResponse> AttestAsync(AttestRequest request, CancellationToken cancellationToken = default)
        {
            owner.Attest = request;
            throw new AttestHeldException();
        }
    }
}
