namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>An individual enrolment.</summary>
[GenerateSerializer, Immutable]
public sealed record IndividualEnrollment([property: Id(0)] string TenantId, [property: Id(1)] string GroupId, [property: Id(2)] bool Enabled);
