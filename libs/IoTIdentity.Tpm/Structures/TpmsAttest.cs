using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Tpm.Structures;

/// <summary>
/// TPMS_ATTEST — Part 2, §10.12.12: what a TPM signs in Quote, Certify and the other attestation commands. The
/// magic is kept as read (the verifier, not the parser, decides it is wrong); the type selects <see cref="Attested"/>.
/// </summary>
public sealed record TpmsAttest(
    uint Magic,
    byte[] QualifiedSigner,
    byte[] ExtraData,
    TpmsClockInfo ClockInfo,
    ulong FirmwareVersion,
    TpmuAttest Attested) : ITpmSizedContent<TpmsAttest>
{
    /// <summary>TPMI_ST_ATTEST: the attestation type, from <see cref="Attested"/>.</summary>
    public TpmSt Type => Attested.Type;

    /// <inheritdoc/>
    public static int MaxSize => 1024;

    /// <inheritdoc/>
    public static string WrapperName => "TPM2B_ATTEST";

    /// <inheritdoc/>
    public void WriteTo(ref TpmWriter writer)
    {
        writer.WriteUInt32(Magic);
        writer.WriteUInt16((ushort)Type);
        writer.WriteSized(QualifiedSigner);
        writer.WriteSized(ExtraData);
        ClockInfo.WriteTo(ref writer);
        writer.WriteUInt64(FirmwareVersion);
        Attested.WriteTo(ref writer);
    }

    /// <inheritdoc/>
    public static TpmsAttest ReadFrom(ref TpmReader reader)
    {
        var magic = reader.ReadUInt32();
        var type = (TpmSt)reader.ReadUInt16();
        var signer = reader.ReadSized(Tpm2bLimits.Name, "TPM2B_NAME qualifiedSigner");
        var extra = reader.ReadSized(Tpm2bLimits.Data, "TPM2B_DATA extraData");
        var clock = TpmsClockInfo.ReadFrom(ref reader);
        var firmware = reader.ReadUInt64();
        var attested = TpmuAttest.ReadFrom(ref reader, type);
        return new(magic, signer, extra, clock, firmware, attested);
    }
}
