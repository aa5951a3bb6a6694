using IoTIdentity.Provisioning.Certificates;

namespace IoTIdentity.Provisioning.Abstractions;

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
