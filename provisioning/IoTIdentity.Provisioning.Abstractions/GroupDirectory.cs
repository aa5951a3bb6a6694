namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>
/// The directory's content: its groups in ordinal order of their text form (<c>{tenant}/{group}</c>). <see cref="TrustEpoch"/> moves whenever the list, a group's policy or a tenant's manufacturer
/// roots change (before the change is acknowledged), so what was read at one epoch holds while the epoch stays; it is not
/// stored: a new activation of the directory starts from a random number.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record GroupDirectory([property: Id(0)] long Version, [property: Id(1)] IReadOnlyList<GroupKey> Groups, [property: Id(2)] long TrustEpoch);
