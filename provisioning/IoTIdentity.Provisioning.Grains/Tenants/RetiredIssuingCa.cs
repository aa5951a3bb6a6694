namespace IoTIdentity.Provisioning.Grains.Tenants;

/// <summary>
/// An issuing CA a rotation replaced: it signs nothing but its CRL, and is dropped once <see cref="KeptUntil"/> (its
/// own notAfter, which bounds every certificate it signed) has passed.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record RetiredIssuingCa
{
    [Id(0)] public required byte[] IssuingCertificate { get; init; }

    /// <summary>The CA's private key, sealed under the key-encryption key (it still signs CRLs).</summary>
    [Id(1)] public required string ProtectedIssuingKey { get; init; }

    [Id(2)] public DateTimeOffset RetiredAt { get; init; }

    [Id(3)] public DateTimeOffset KeptUntil { get; init; }
}
