using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Tpm.Commands;

/// <summary>TPM2_NV_Write — Part 3, §31.7: writes at most TPM_PT_NV_BUFFER_MAX bytes at an offset.</summary>
public sealed record NvWrite(uint AuthHandle, uint NvIndex, byte[] Data, ushort Offset) : ITpmCommand<TpmNoResponse>
{
    /// <inheritdoc/>
    public TpmCc Code => TpmCc.NvWrite;

    /// <inheritdoc/>
    public IReadOnlyList<uint> Handles => [AuthHandle, NvIndex];

    /// <inheritdoc/>
    public int AuthorizedHandleCount => 1;

    /// <inheritdoc/>
    public void WriteParameters(ref TpmWriter writer)
    {
        writer.WriteSized(Data);
        writer.WriteUInt16(Offset);
    }

    /// <inheritdoc/>
    public TpmNoResponse ReadResponse(ReadOnlySpan<uint> handles, ref TpmReader parameters) => TpmNoResponse.Instance;
}
