using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Tpm.Commands;

/// <summary>TPM2_FlushContext — Part 3, §28.4. The handle travels in the parameter area, not the handle area.</summary>
public sealed record FlushContext(uint FlushHandle) : ITpmCommand<TpmNoResponse>
{
    /// <inheritdoc/>
    public TpmCc Code => TpmCc.FlushContext;

    /// <inheritdoc/>
    public void WriteParameters(ref TpmWriter writer) => writer.WriteUInt32(FlushHandle);

    /// <inheritdoc/>
    public TpmNoResponse ReadResponse(ReadOnlySpan<uint> handles, ref TpmReader parameters) => TpmNoResponse.Instance;
}
