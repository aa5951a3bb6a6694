using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Tpm.Commands;

/// <summary>TPM2_NV_ReadPublic — Part 3, §31.6.</summary>
public sealed record NvReadPublic(uint NvIndex) : ITpmCommand<NvReadPublicResponse>
{
    /// <inheritdoc/>
    public TpmCc Code => TpmCc.NvReadPublic;

    /// <inheritdoc/>
    public IReadOnlyList<uint> Handles => [NvIndex];

    /// <inheritdoc/>
    public void WriteParameters(ref TpmWriter writer) { }

    /// <inheritdoc/>
    public NvReadPublicResponse ReadResponse(ReadOnlySpan<uint> handles, ref TpmReader parameters) =>
        new(Tpm2b<TpmsNvPublic>.ReadFrom(ref parameters), parameters.ReadSized(Tpm2bLimits.Name, "TPM2B_NAME nvName"));
}

/// <summary>TPM2_NV_ReadPublic response.</summary>
public sealed record NvReadPublicResponse(Tpm2b<TpmsNvPublic> NvPublic, byte[] NvName);
