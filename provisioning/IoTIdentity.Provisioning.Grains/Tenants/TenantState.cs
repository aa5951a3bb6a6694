using System.Collections.Immutable;
using IoTIdentity.Provisioning.Abstractions;

namespace IoTIdentity.Provisioning.Grains.Tenants;

/// <summary>The durable state of one tenant (owner): its CA, API keys and revocations.</summary>
[GenerateSerializer, Immutable]
public sealed record TenantState
{
    [Id(0)] public bool Exists { get; init; }
    [Id(1)] public string Name { get; init; } = "";
    [Id(2)] public TenantCaRecord? Ca { get; init; }
    [Id(3)] public ImmutableList<ApiKeyRecord> ApiKeys { get; init; } = [];
    [Id(4)] public ImmutableList<RevocationRecord> Revoked { get; init; } = [];
    [Id(5)] public long CrlNumber { get; init; }
    [Id(6)] public DateTimeOffset CreatedAt { get; init; }
    /// <summary>The most devices the tenant may have admitted (all groups together); null for no limit.</summary>
    [Id(7)] public int? MaxDevices { get; init; }
    /// <summary>How many devices the tenant's groups had admitted when the count was kept here; read only until the
    /// tenant's <see cref="Enrollment.AdmissionCount"/> document is first written.</summary>
    [Id(8)] public int DeviceCount { get; init; }
    /// <summary>TPM manufacturer roots (DER) every group of the tenant trusts in addition to its own.</summary>
    [Id(9)] public ImmutableList<byte[]> ManufacturerRoots { get; init; } = [];
    /// <summary>Changes with <see cref="ManufacturerRoots"/>, so validators built from them can be cached.</summary>
    [Id(10)] public long ManufacturerRootsVersion { get; init; }
    /// <summary>The ownership signing key (P-256), sealed under the key-encryption key; created lazily for older tenants.</summary>
    [Id(20)] public string? ProtectedOwnershipKey { get; init; }
    /// <summary>The ownership public key (SubjectPublicKeyInfo DER), served to anyone who verifies an ownership record.</summary>
    [Id(21)] public byte[]? OwnershipPublicKey { get; init; }
    /// <summary>Issuing CAs rotations replaced, oldest first, kept until their last certificate has expired.</summary>
    [Id(22)] public ImmutableList<RetiredIssuingCa> RetiredIssuingCas { get; init; } = [];
}
