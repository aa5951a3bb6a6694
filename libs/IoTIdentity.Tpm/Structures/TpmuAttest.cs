using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Tpm.Structures;

/// <summary>TPMU_ATTEST — Part 2, §10.12.11: the type-specific body of a TPMS_ATTEST, a closed hierarchy.</summary>
public abstract record TpmuAttest
{
    private protected TpmuAttest() { }

    /// <summary>The TPM_ST_ATTEST_* selector.</summary>
    public abstract TpmSt Type { get; }

    /// <summary>Marshals the member (the selector is written by the parent).</summary>
    public abstract void WriteTo(ref TpmWriter writer);

    /// <summary>Reads the member selected by <paramref name="type"/>; an unknown type is a format error.</summary>
    public static TpmuAttest ReadFrom(ref TpmReader reader, TpmSt type) => type switch
    {
        TpmSt.AttestCertify => new TpmsCertifyInfo(ReadName(ref reader), ReadName(ref reader)),
        TpmSt.AttestQuote => new TpmsQuoteInfo(TpmlPcrSelection.ReadFrom(ref reader), reader.ReadSized(Tpm2bLimits.Digest, "TPM2B_DIGEST pcrDigest")),
        TpmSt.AttestCreation => new TpmsCreationInfo(ReadName(ref reader), reader.ReadSized(Tpm2bLimits.Digest, "TPM2B_DIGEST creationHash")),
        TpmSt.AttestTime => new TpmsTimeAttestInfo(reader.ReadUInt64(), TpmsClockInfo.ReadFrom(ref reader), reader.ReadUInt64()),
        TpmSt.AttestCommandAudit => new TpmsCommandAuditInfo(reader.ReadUInt64(), (TpmAlgId)reader.ReadUInt16(),
            reader.ReadSized(Tpm2bLimits.Digest, "TPM2B_DIGEST auditDigest"), reader.ReadSized(Tpm2bLimits.Digest, "TPM2B_DIGEST commandDigest")),
        TpmSt.AttestSessionAudit => new TpmsSessionAuditInfo(reader.ReadBool(), reader.ReadSized(Tpm2bLimits.Digest, "TPM2B_DIGEST sessionDigest")),
        TpmSt.AttestNv => new TpmsNvCertifyInfo(ReadName(ref reader), reader.ReadUInt16(), reader.ReadSized(Tpm2bLimits.MaxNvBuffer, "TPM2B_MAX_NV_BUFFER")),
        _ => throw new TpmFormatException($"unknown attestation type 0x{(ushort)type:X4}"),
    };

    private static byte[] ReadName(ref TpmReader reader) => reader.ReadSized(Tpm2bLimits.Name, "TPM2B_NAME");
}

/// <summary>TPMS_CERTIFY_INFO — Part 2, §10.12.3.</summary>
public sealed record TpmsCertifyInfo(byte[] Name, byte[] QualifiedName) : TpmuAttest
{
    /// <inheritdoc/>
    public override TpmSt Type => TpmSt.AttestCertify;

    /// <inheritdoc/>
    public override void WriteTo(ref TpmWriter writer)
    {
        writer.WriteSized(Name);
        writer.WriteSized(QualifiedName);
    }
}

/// <summary>TPMS_QUOTE_INFO — Part 2, §10.12.4.</summary>
public sealed record TpmsQuoteInfo(TpmlPcrSelection PcrSelect, byte[] PcrDigest) : TpmuAttest
{
    /// <inheritdoc/>
    public override TpmSt Type => TpmSt.AttestQuote;

    /// <inheritdoc/>
    public override void WriteTo(ref TpmWriter writer)
    {
        PcrSelect.WriteTo(ref writer);
        writer.WriteSized(PcrDigest);
    }
}

/// <summary>TPMS_CREATION_INFO — Part 2, §10.12.8.</summary>
public sealed record TpmsCreationInfo(byte[] ObjectName, byte[] CreationHash) : TpmuAttest
{
    /// <inheritdoc/>
    public override TpmSt Type => TpmSt.AttestCreation;

    /// <inheritdoc/>
    public override void WriteTo(ref TpmWriter writer)
    {
        writer.WriteSized(ObjectName);
        writer.WriteSized(CreationHash);
    }
}

/// <summary>TPMS_TIME_ATTEST_INFO — Part 2, §10.12.2 (with its TPMS_TIME_INFO, §10.11.6, flattened).</summary>
public sealed record TpmsTimeAttestInfo(ulong Time, TpmsClockInfo ClockInfo, ulong FirmwareVersion) : TpmuAttest
{
    /// <inheritdoc/>
    public override TpmSt Type => TpmSt.AttestTime;

    /// <inheritdoc/>
    public override void WriteTo(ref TpmWriter writer)
    {
        writer.WriteUInt64(Time);
        ClockInfo.WriteTo(ref writer);
        writer.WriteUInt64(FirmwareVersion);
    }
}

/// <summary>TPMS_COMMAND_AUDIT_INFO — Part 2, §10.12.5.</summary>
public sealed record TpmsCommandAuditInfo(ulong AuditCounter, TpmAlgId DigestAlg, byte[] AuditDigest, byte[] CommandDigest) : TpmuAttest
{
    /// <inheritdoc/>
    public override TpmSt Type => TpmSt.AttestCommandAudit;

    /// <inheritdoc/>
    public override void WriteTo(ref TpmWriter writer)
    {
        writer.WriteUInt64(AuditCounter);
        writer.WriteUInt16((ushort)DigestAlg);
        writer.WriteSized(AuditDigest);
        writer.WriteSized(CommandDigest);
    }
}

/// <summary>TPMS_SESSION_AUDIT_INFO — Part 2, §10.12.6.</summary>
public sealed record TpmsSessionAuditInfo(bool ExclusiveSession, byte[] SessionDigest) : TpmuAttest
{
    /// <inheritdoc/>
    public override TpmSt Type => TpmSt.AttestSessionAudit;

    /// <inheritdoc/>
    public override void WriteTo(ref TpmWriter writer)
    {
        writer.WriteBool(ExclusiveSession);
        writer.WriteSized(SessionDigest);
    }
}

/// <summary>TPMS_NV_CERTIFY_INFO — Part 2, §10.12.9.</summary>
public sealed record TpmsNvCertifyInfo(byte[] IndexName, ushort Offset, byte[] NvContents) : TpmuAttest
{
    /// <inheritdoc/>
    public override TpmSt Type => TpmSt.AttestNv;

    /// <inheritdoc/>
    public override void WriteTo(ref TpmWriter writer)
    {
        writer.WriteSized(IndexName);
        writer.WriteUInt16(Offset);
        writer.WriteSized(NvContents);
    }
}
