using IoTIdentity.Protocol.Messages;
using IoTIdentity.Tpm.Structures;

namespace IoTIdentity.DeviceAgent.Enrollment;

/// <summary>What an enrolment or renewal leaves the device with: the certificate and the keys to persist.</summary>
/// <param name="DeviceId">The device id (SHA-256 of the EK public area).</param>
/// <param name="Issued">The service's answer: certificate chain, expiry, renewal hint, owner.</param>
/// <param name="DeviceKey">The certified device key, for TLS and for the next renewal's proof.</param>
/// <param name="AttestationKey">The AK the service now knows for this device.</param>
/// <param name="SrkTemplate">The SRK both keys were created under (load them under CreatePrimary of this template).</param>
/// <param name="StepDurations">Wall-clock time per step, keyed by <see cref="EnrollmentSteps"/> names.</param>
public sealed record EnrollmentResult(
    string DeviceId,
    IssuedResponse Issued,
    TpmKeyBlobs DeviceKey,
    TpmKeyBlobs AttestationKey,
    TpmtPublic SrkTemplate,
    IReadOnlyDictionary<string, TimeSpan> StepDurations);
