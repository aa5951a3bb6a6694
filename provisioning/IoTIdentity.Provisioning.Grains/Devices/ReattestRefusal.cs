namespace IoTIdentity.Provisioning.Grains.Devices;

/// <summary>An attestation refused while a re-attest request was open, after the device's TPM had proved its EK (the device answered, and failed).</summary>
/// <param name="At">When it was refused.</param>
/// <param name="Reason"><c>{error}: {detail}</c>, as the refusal named it.</param>
[GenerateSerializer, Immutable]
public sealed record ReattestRefusal([property: Id(0)] DateTimeOffset At, [property: Id(1)] string Reason);
