using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Tpm.Commands;

/// <summary>TPM2_PolicyGetDigest — Part 3, §23.19: the session's current policy digest.</summary>
public sealed record PolicyGetDigest(uint PolicySession) : ITpmCommand<byte[]>
{
    /// <inheritdoc/>
    public TpmCc Code => TpmCc.PolicyGetDigest;

    /// <inheritdoc/>
    public IReadOnlyList<uint> Handles => [PolicySession];

    /// <inheritdoc/>
    public void WriteParameters(ref TpmWriter writer) { }

    /// <inheritdoc/>
    public byte[] ReadResponse(ReadOnlySpan<uint> handles, ref TpmReader parameters) =>
        parameters.ReadSized(Tpm2bLimits.Digest, "TPM2B_DIGEST policyDigest");
}
