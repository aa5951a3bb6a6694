using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Tpm.Commands;

/// <summary>
/// TPM2_NV_Read — Part 3, §31.13: reads at most TPM_PT_NV_BUFFER_MAX bytes at an offset; see
/// <see cref="TpmNvExtensions.ReadNvAsync"/> for whole-index reads in chunks.
/// </summary>
public sealed record NvRead(uint AuthHandle, uint NvIndex, ushort Size, ushort Offset) : ITpmCommand<byte[]>
{
    /// <inheritdoc/>
    public TpmCc Code => TpmCc.NvRead;

    /// <inheritdoc/>
    public IReadOnlyList<uint> Handles => [AuthHandle, NvIndex];

    /// <inheritdoc/>
    public int AuthorizedHandleCount => 1;

    /// <inheritdoc/>
    public void WriteParameters(ref TpmWriter writer)
    {
        writer.WriteUInt16(Size);
        writer.WriteUInt16(Offset);
    }

    /// <inheritdoc/>
    public byte[] ReadResponse(ReadOnlySpan<uint> handles, ref TpmReader parameters) =>
        parameters.ReadSized(Tpm2bLimits.MaxNvBuffer, "TPM2B_MAX_NV_BUFFER");
}
