namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>One accepted attestation of a device, as its owner sees it: the quoted PCRs and the firmware release they matched.</summary>
[GenerateSerializer, Immutable]
public sealed record AttestationView
{
    [Id(0)] public required DateTimeOffset At { get; init; }

    /// <summary><c>enroll</c> or <c>renew</c>; null for an attestation recorded before the mode was kept.</summary>
    [Id(1)] public string? Mode { get; init; }

    /// <summary>The certificate the attestation was answered with, when recorded.</summary>
    [Id(2)] public string? SerialNumber { get; init; }

    /// <summary>The firmware release (<c>product@version</c>) the event log matched, or null if none did.</summary>
    [Id(3)] public string? Firmware { get; init; }

    /// <summary>The quoted PCR values (hex), by index.</summary>
    [Id(4)] public required IReadOnlyDictionary<int, string> Pcrs { get; init; }

    /// <summary>The TPM's firmware version from the quote.</summary>
    [Id(5)] public ulong TpmFirmwareVersion { get; init; }
}
