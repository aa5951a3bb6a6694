namespace IoTIdentity.Protocol.Messages;

/// <summary>Step 3 — <c>issued</c>: the certificate for the TPM-resident device key.</summary>
public sealed record IssuedResponse
{
    /// <summary>The device id (URI SAN of the certificate).</summary>
    public required string DeviceId { get; init; }

    /// <summary>The owner (tenant) the certificate was issued under.</summary>
    public required string Owner { get; init; }

    /// <summary>The device certificate then its issuing CA, DER each (the tenant root is not included).</summary>
    public required IReadOnlyList<byte[]> CertificateChain { get; init; }

    /// <summary>The certificate serial number, lowercase hex.</summary>
    public required string SerialNumber { get; init; }

    /// <summary>When the certificate expires.</summary>
    public required DateTimeOffset NotAfter { get; init; }

    /// <summary>When the device should start renewing (about two thirds of the lifetime).</summary>
    public required DateTimeOffset RenewAfter { get; init; }
}
