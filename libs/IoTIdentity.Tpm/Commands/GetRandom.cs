using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Tpm.Commands;

/// <summary>TPM2_GetRandom — Part 3, §16.1. Returns at most a digest's worth of bytes per call.</summary>
public sealed record GetRandom(ushort BytesRequested) : ITpmCommand<byte[]>
{
    /// <inheritdoc/>
    public TpmCc Code => TpmCc.GetRandom;

    /// <inheritdoc/>
    public void WriteParameters(ref TpmWriter writer) => writer.WriteUInt16(BytesRequested);

    /// <inheritdoc/>
    public byte[] ReadResponse(ReadOnlySpan<uint> handles, ref TpmReader parameters) =>
        parameters.ReadSized(Tpm2bLimits.Digest, "TPM2B_DIGEST randomBytes");
}
