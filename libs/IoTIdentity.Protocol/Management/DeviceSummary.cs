namespace IoTIdentity.Protocol.Management;

/// <summary>A device as the inventory (<c>GET /api/v1/devices</c>) lists it.</summary>
/// <param name="TenantId">The owner.</param>
/// <param name="DeviceId">The device.</param>
/// <param name="State">Its lifecycle state (Active, Disabled, Revoked, …).</param>
/// <param name="Firmware">The firmware it last proved.</param>
/// <param name="CertificateSerial">Its current certificate's serial (hex).</param>
/// <param name="CertificateNotAfter">When that certificate expires.</param>
/// <param name="Compliant">Whether its last attestation met the policy.</param>
/// <param name="UpdatedAt">When the record last changed.</param>
/// <param name="GroupId">The enrolment group it enrolled through.</param>
/// <param name="LastSeenAt">When its authenticated MQTT session last opened or closed.</param>
/// <param name="Connected">Whether that session is open.</param>
/// <param name="Tags">The owner's tags on it.</param>
/// <param name="Links">The caller's other device ids of the same TPM (its other EK), as <c>GET /api/v1/devices/{id}</c> lists them.</param>
public sealed record DeviceSummary(string TenantId, string DeviceId, string State, string? Firmware, string? CertificateSerial,
    DateTimeOffset? CertificateNotAfter, bool Compliant, DateTimeOffset UpdatedAt, string? GroupId = null, DateTimeOffset? LastSeenAt = null,
    bool Connected = false, IReadOnlyList<string>? Tags = null, IReadOnlyList<string>? Links = null);
