using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Tpm.Commands;

/// <summary>TPM2_NV_UndefineSpace — Part 3, §31.4.</summary>
public sealed record NvUndefineSpace(uint AuthHandle, uint NvIndex) : ITpmCommand<TpmNoResponse>
{
    /// <inheritdoc/>
    public TpmCc Code => TpmCc.NvUndefineSpace;

    /// <inheritdoc/>
    public IReadOnlyList<uint> Handles => [AuthHandle, NvIndex];

    /// <inheritdoc/>
    public int AuthorizedHandleCount => 1;

    /// <inheritdoc/>
    public void WriteParameters(ref TpmWriter writer) { }

    /// <inheritdoc/>
    public TpmNoResponse ReadResponse(ReadOnlySpan<uint> handles, ref TpmReader parameters) => TpmNoResponse.Instance;
}
