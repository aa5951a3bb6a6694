namespace IoTIdentity.Protocol.Management;

/// <summary>One accepted attestation of a device (<c>GET /api/v1/devices/{deviceId}/attestations</c>, newest first).</summary>
public sealed record DeviceAttestation
{
    /// <summary>When the service accepted it.</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary><c>enroll</c> or <c>renew</c>; absent for an attestation recorded before the mode was kept.</summary>
    public string? Mode { get; init; }

    /// <summary>The certificate it was answered with.</summary>
    public string? SerialNumber { get; init; }

    /// <summary>The firmware release (<c>product@version</c>) its event log matched, or absent if none did.</summary>
    public string? Firmware { get; init; }

    /// <summary>The quoted PCR values (hex), by index.</summary>
    public required IReadOnlyDictionary<int, string> Pcrs { get; init; }

    /// <summary>The TPM's firmware version from the quote.</summary>
    public ulong TpmFirmwareVersion { get; init; }
}
