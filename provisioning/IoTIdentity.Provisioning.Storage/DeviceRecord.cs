namespace IoTIdentity.Provisioning.Storage;

/// <summary>One device in a tenant's inventory: what the management API lists and filters.</summary>
/// <remarks>Times are stored with 100 ns precision and read back in UTC (offset zero); <see cref="DateTimeOffset"/>
/// equality compares instants, so a record read back equals the one written.</remarks>
/// <param name="TenantId">The owning tenant (the partition); 1–256 characters.</param>
/// <param name="DeviceId">The device; 1–256 characters, unique within the tenant.</param>
/// <param name="State">The device's lifecycle state as the grain names it (e.g. "Active", "Revoked");
/// 1–256 characters. Listing filters on it by exact, case-sensitive match.</param>
/// <param name="Firmware">The firmware version last attested, if any; up to 256 characters.</param>
/// <param name="CertificateSerial">The current certificate's serial number (hex), if any; up to 256 characters.</param>
/// <param name="CertificateNotAfter">The current certificate's expiry, if any.</param>
/// <param name="Compliant">Whether the last attestation satisfied the tenant's policy.</param>
/// <param name="UpdatedAt">When the grain last changed the record.</param>
public sealed record DeviceRecord(
    string TenantId,
    string DeviceId,
    string State,
    string? Firmware,
    string? CertificateSerial,
    DateTimeOffset? CertificateNotAfter,
    bool Compliant,
    DateTimeOffset UpdatedAt);
