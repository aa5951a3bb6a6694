namespace IoTIdentity.Protocol.Management;

/// <summary><c>PUT /api/v1/tenant/manufacturer-roots</c>: replaces the tenant-wide trusted TPM manufacturer roots.</summary>
/// <param name="CertificatesPem">The roots, one PEM certificate each.</param>
public sealed record ManufacturerRootsRequest(IReadOnlyList<string>? CertificatesPem);
