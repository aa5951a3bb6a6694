// The device and certificate shapes of the management API (DeviceRecord, DeviceView; certificates from issue 5).
namespace IoTIdentity.Fleet.Cli.Client;

/// <summary>A device as the inventory lists it.</summary>
/// <param name="TenantId">The owner.</param>
/// <param name="DeviceId">The device.</param>
/// <param name="State">Its lifecycle state (Active, Disabled, Revoked, …).</param>
/// <param name="Firmware">The firmware it last proved.</param>
/// <param name="CertificateSerial">Its current certificate's serial (hex).</param>
/// <param name="CertificateNotAfter">When that certificate expires.</param>
/// <param name="Compliant">Whether its last attestation met the policy.</param>
/// <param name="UpdatedAt">When the record last changed.</param>
public sealed record DeviceSummary(string TenantId, string DeviceId, string State, string? Firmware, string? CertificateSerial,
    DateTimeOffset? CertificateNotAfter, bool Compliant, DateTimeOffset UpdatedAt);

/// <summary>One device in full (<c>GET /api/v1/devices/{deviceId}</c>).</summary>
public sealed record DeviceDetails
{
    /// <summary>The device.</summary>
    public required string DeviceId { get; init; }

    /// <summary>The owner.</summary>
    public required string TenantId { get; init; }

    /// <summary>Its lifecycle state.</summary>
    public required string Status { get; init; }

    /// <summary>The group whose policy admitted it.</summary>
    public string? GroupId { get; init; }

    /// <summary>Its current certificate's serial (hex).</summary>
    public string? CertificateSerial { get; init; }

    /// <summary>When that certificate expires.</summary>
    public DateTimeOffset? CertificateNotAfter { get; init; }

    /// <summary>When it first enrolled.</summary>
    public DateTimeOffset? EnrolledAt { get; init; }

    /// <summary>When it last attested.</summary>
    public DateTimeOffset? LastAttestedAt { get; init; }

    /// <summary>The PCR values of its last quote (hex), by index.</summary>
    public IReadOnlyDictionary<int, string>? Pcrs { get; init; }

    /// <summary>Serials of its earlier certificates.</summary>
    public IReadOnlyList<string> PastSerials { get; init; } = [];

    /// <summary>The firmware it last proved.</summary>
    public string? Firmware { get; init; }

    /// <summary>Whether its last attestation met the policy.</summary>
    public bool Compliant { get; init; } = true;
}

/// <summary>The body of a revocation (device or certificate).</summary>
/// <param name="Reason">An RFC 5280 CRLReason name, e.g. keyCompromise; null for unspecified.</param>
public sealed record RevokeRequest(string? Reason);

/// <summary>One certificate the tenant issued (<c>GET /api/v1/certificates/{serialNumber}</c>).</summary>
/// <param name="SerialNumber">Its serial (hex).</param>
/// <param name="DeviceId">The device it was issued to.</param>
/// <param name="NotBefore">Valid from.</param>
/// <param name="NotAfter">Valid until.</param>
/// <param name="Revoked">Whether it is on the CRL.</param>
/// <param name="Reason">The revocation reason, when revoked.</param>
public sealed record CertificateView(string SerialNumber, string DeviceId, DateTimeOffset NotBefore, DateTimeOffset NotAfter, bool Revoked, string? Reason);
