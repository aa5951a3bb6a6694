namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>An individual enrolment.</summary>
/// <param name="TenantId">The tenant that enrolled the device.</param>
/// <param name="GroupId">The tenant's group whose policy applies.</param>
/// <param name="Enabled">Whether the device is admitted.</param>
/// <param name="ClaimCodeHash">SHA-256 of the device's claim code, when the tenant supplied one: presenting the code proves the tenant's claim.</param>
[GenerateSerializer, Immutable]
public sealed record IndividualEnrollment([property: Id(0)] string TenantId, [property: Id(1)] string GroupId, [property: Id(2)] bool Enabled,
    [property: Id(3)] byte[]? ClaimCodeHash = null);
