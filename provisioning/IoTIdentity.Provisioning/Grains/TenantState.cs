using System.Collections.Immutable;
using IoTIdentity.Provisioning.Certificates;

namespace IoTIdentity.Provisioning.Grains;

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
    /// <summary>How many devices the tenant's groups have admitted.</summary>
    [Id(8)] public int DeviceCount { get; init; }
    /// <summary>TPM manufacturer roots (DER) every group of the tenant trusts in addition to its own.</summary>
    [Id(9)] public ImmutableList<byte[]> ManufacturerRoots { get; init; } = [];
    /// <summary>Changes with <see cref="ManufacturerRoots"/>, so validators built from them can be cached.</summary>
    [Id(10)] public long ManufacturerRootsVersion { get; init; }
    /// <summary>The ownership signing key (P-256), sealed under the key-encryption key; created lazily for older tenants.</summary>
    [Id(20)] public string? ProtectedOwnershipKey { get; init; }
    /// <summary>The ownership public key (SubjectPublicKeyInfo DER), served to anyone who verifies an ownership record.</summary>
    [Id(21)] public byte[]? OwnershipPublicKey { get; init; }
}

/// <summary>The tenant's CA material as stored (certificates, and keys sealed under the key-encryption key).</summary>
[GenerateSerializer, Immutable]
public sealed record TenantCaRecord
{
    [Id(0)] public required byte[] RootCertificate { get; init; }
    [Id(1)] public required byte[] IssuingCertificate { get; init; }
    [Id(2)] public string? ProtectedRootKey { get; init; }
    [Id(3)] public required string ProtectedIssuingKey { get; init; }

    /// <summary>From the certificate library's form.</summary>
    public static TenantCaRecord From(TenantCaMaterial material) => new()
    {
        RootCertificate = material.RootCertificate,
        IssuingCertificate = material.IssuingCertificate,
        ProtectedRootKey = material.ProtectedRootKey,
        ProtectedIssuingKey = material.ProtectedIssuingKey,
    };

    /// <summary>To the certificate library's form.</summary>
    public TenantCaMaterial ToMaterial(string tenantId) => new(tenantId, RootCertificate, IssuingCertificate, ProtectedRootKey, ProtectedIssuingKey);
}

/// <summary>An API key as stored: only the SHA-256 of its secret part.</summary>
[GenerateSerializer, Immutable]
public sealed record ApiKeyRecord
{
    [Id(0)] public required string KeyId { get; init; }
    [Id(1)] public required byte[] SecretHash { get; init; }
    [Id(2)] public required ApiRole Role { get; init; }
    [Id(3)] public required DateTimeOffset CreatedAt { get; init; }
    [Id(4)] public DateTimeOffset? RevokedAt { get; init; }
    [Id(5)] public DateTimeOffset? LastUsedAt { get; init; }
    [Id(6)] public string? Name { get; init; }
}

/// <summary>A revoked certificate on the tenant's CRL.</summary>
[GenerateSerializer, Immutable]
public sealed record RevocationRecord
{
    [Id(0)] public required string SerialNumber { get; init; }
    [Id(1)] public required DateTimeOffset RevokedAt { get; init; }
    [Id(2)] public required int Reason { get; init; }
    [Id(3)] public string? DeviceId { get; init; }

    /// <summary>The records revoking <paramref name="serialNumbers"/> of <paramref name="deviceId"/> at <paramref name="at"/> for <paramref name="reason"/>.</summary>
    public static List<RevocationRecord> For(string deviceId, IEnumerable<string> serialNumbers, CrlReason reason, DateTimeOffset at) =>
        serialNumbers.Select(s => new RevocationRecord { SerialNumber = s, RevokedAt = at, Reason = (int)reason, DeviceId = deviceId }).ToList();
}

/// <summary>The roles an API key can hold.</summary>
public enum ApiRole
{
    /// <summary>Reads everything of the tenant, including audit; changes nothing.</summary>
    Auditor = 0,
    /// <summary>Manages enrolments and devices.</summary>
    Operator = 1,
    /// <summary>Everything, including API keys.</summary>
    OwnerAdmin = 2,
}
