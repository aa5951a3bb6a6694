using IoTIdentity.Tpm.Ek;
using IoTIdentity.Tpm.Keys;
using IoTIdentity.Tpm.Structures;

namespace IoTIdentity.DeviceAgent.Enrollment;

/// <summary>
/// Which keys a <see cref="TpmEnrollment"/> uses: the EK (its template and the NV index of its certificate, which
/// must match), the SRK, AK and device key templates, and what else the device presents.
/// </summary>
public sealed record TpmEnrollmentOptions
{
    /// <summary>The EK template (TCG EK Credential Profile), possibly with a device-specific <c>unique</c> value.</summary>
    public TpmtPublic EkTemplate { get; init; } = EkTemplates.Rsa2048;

    /// <summary>NV index of the certificate of the EK <see cref="EkTemplate"/> produces.</summary>
    public uint EkCertificateNvIndex { get; init; } = EkNvIndices.RsaLow;

    /// <summary>The EK certificate (DER) when it is not in NV (e.g. a simulator's per-device EK); overrides the NV read.</summary>
    public byte[]? EkCertificate { get; init; }

    /// <summary>Intermediate CA certificates (DER) of the EK certificate, if the device has them.</summary>
    public IReadOnlyList<byte[]> EkIntermediates { get; init; } = [];

    /// <summary>
    /// When <see cref="EkIntermediates"/> is empty, read them from the TPM's EK certificate chain NV range
    /// (<see cref="EkNvIndices.ChainFirst"/>, TCG Provisioning Guidance §2.2.1.5.2).
    /// </summary>
    public bool ReadEkIntermediatesFromNv { get; init; }

    /// <summary>The storage root key template; the AK and the device key are its children.</summary>
    public TpmtPublic SrkTemplate { get; init; } = KeyTemplates.SrkEccP256;

    /// <summary>The attestation key template (restricted signing).</summary>
    public TpmtPublic AkTemplate { get; init; } = KeyTemplates.AkEccP256;

    /// <summary>The device identity key template (unrestricted signing, RSA 2048 or ECC P-256/P-384).</summary>
    public TpmtPublic DeviceKeyTemplate { get; init; } = KeyTemplates.DeviceEccP256;

    /// <summary>The TCG firmware event log, if the device measures its boot.</summary>
    public byte[]? EventLog { get; init; }

    /// <summary>The enrolment scope named in each register (the owner's tenant id, or <c>{tenant}/{group}</c>); null names none.</summary>
    public string? EnrollmentScope { get; init; }

    /// <summary>The claim code printed on the device, presented in each register; null presents none.</summary>
    public string? ClaimCode { get; init; }

    /// <summary>The clock a renewal proof is dated with.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The RSA 2048 EK of the low range (template L-1, certificate at 0x01C00002).</summary>
    public static TpmEnrollmentOptions RsaEk() => new() { EkTemplate = EkTemplates.Rsa2048, EkCertificateNvIndex = EkNvIndices.RsaLow };

    /// <summary>The ECC P-384 EK of the high range (template H-3, certificate at 0x01C00016).</summary>
    public static TpmEnrollmentOptions EccP384Ek() => new() { EkTemplate = EkTemplates.EccP384High, EkCertificateNvIndex = EkNvIndices.EccP384High };
}
