using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Tpm.Commands;

/// <summary>TPM2_Quote — Part 3, §18.4: signs the digest of the selected PCRs with <see cref="QualifyingData"/> as extraData.</summary>
public sealed record Quote(uint SignHandle, byte[] QualifyingData, TpmtScheme InScheme, TpmlPcrSelection PcrSelect) : ITpmCommand<AttestResponse>
{
    /// <inheritdoc/>
    public TpmCc Code => TpmCc.Quote;

    /// <inheritdoc/>
    public IReadOnlyList<uint> Handles => [SignHandle];

    /// <inheritdoc/>
    public int AuthorizedHandleCount => 1;

    /// <inheritdoc/>
    public void WriteParameters(ref TpmWriter writer)
    {
        writer.WriteSized(QualifyingData);
        InScheme.WriteTo(ref writer);
        PcrSelect.WriteTo(ref writer);
    }

    /// <inheritdoc/>
    public AttestResponse ReadResponse(ReadOnlySpan<uint> handles, ref TpmReader parameters) => AttestResponse.ReadFrom(ref parameters);
}

/// <summary>The response of the attestation commands (Quote, Certify): the attestation and its signature.</summary>
public sealed record AttestResponse(Tpm2b<TpmsAttest> Attest, TpmtSignature Signature)
{
    /// <summary>Reads TPM2B_ATTEST then TPMT_SIGNATURE.</summary>
    public static AttestResponse ReadFrom(ref TpmReader reader) =>
        new(Tpm2b<TpmsAttest>.ReadFrom(ref reader), TpmtSignature.ReadFrom(ref reader));
}
