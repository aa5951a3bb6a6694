using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Tpm.Commands;

/// <summary>TPM2_PCR_Extend — Part 3, §22.2: PCR[i] = H(PCR[i] || digest) in each listed bank.</summary>
public sealed record PcrExtend(uint PcrHandle, TpmlDigestValues Digests) : ITpmCommand<TpmNoResponse>
{
    /// <inheritdoc/>
    public TpmCc Code => TpmCc.PcrExtend;

    /// <inheritdoc/>
    public IReadOnlyList<uint> Handles => [PcrHandle];

    /// <inheritdoc/>
    public int AuthorizedHandleCount => 1;

    /// <inheritdoc/>
    public void WriteParameters(ref TpmWriter writer) => Digests.WriteTo(ref writer);

    /// <inheritdoc/>
    public TpmNoResponse ReadResponse(ReadOnlySpan<uint> handles, ref TpmReader parameters) => TpmNoResponse.Instance;
}
