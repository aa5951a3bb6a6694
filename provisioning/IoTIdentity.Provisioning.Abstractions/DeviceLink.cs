namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>
/// Another device id of the same TPM (its other EK: RSA and ECC are two keys, so two ids, but one device).
/// </summary>
/// <param name="DeviceId">The other device id.</param>
/// <param name="Basis">
/// Why they are linked: <see cref="EkCertificates"/> (both EK certificates name the same TPM serial) or
/// <see cref="Operator"/> (an operator of the tenant linked them).
/// </param>
[GenerateSerializer, Immutable]
public sealed record DeviceLink([property: Id(0)] string DeviceId, [property: Id(1)] string Basis)
{
    /// <summary>Both devices' EK certificates name the same TPM (manufacturer and hardware serial).</summary>
    public const string EkCertificates = "ek-certificates";

    /// <summary>An operator linked them.</summary>
    public const string Operator = "operator";
}
