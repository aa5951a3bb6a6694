using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Tpm.Commands;

/// <summary>
/// TPM2_Certify — Part 3, §18.2: the key at <see cref="SignHandle"/> attests that the object at
/// <see cref="ObjectHandle"/> is loaded in this TPM (its Name), with <see cref="QualifyingData"/> as extraData.
/// </summary>
public sealed record Certify(uint ObjectHandle, uint SignHandle, byte[] QualifyingData, TpmtScheme InScheme) : ITpmCommand<AttestResponse>
{
    /// <inheritdoc/>
    public TpmCc Code => TpmCc.Certify;

    /// <inheritdoc/>
    public IReadOnlyList<uint> Handles => [ObjectHandle, SignHandle];

    /// <inheritdoc/>
    public int AuthorizedHandleCount => 2;

    /// <inheritdoc/>
    public void WriteParameters(ref TpmWriter writer)
    {
        writer.WriteSized(QualifyingData);
        InScheme.WriteTo(ref writer);
    }

    /// <inheritdoc/>
    public AttestResponse ReadResponse(ReadOnlySpan<uint> handles, ref TpmReader parameters) => AttestResponse.ReadFrom(ref parameters);
}
