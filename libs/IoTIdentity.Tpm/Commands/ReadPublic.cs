using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Tpm.Commands;

/// <summary>TPM2_ReadPublic — Part 3, §12.4.</summary>
public sealed record ReadPublic(uint ObjectHandle) : ITpmCommand<ReadPublicResponse>
{
    /// <inheritdoc/>
    public TpmCc Code => TpmCc.ReadPublic;

    /// <inheritdoc/>
    public IReadOnlyList<uint> Handles => [ObjectHandle];

    /// <inheritdoc/>
    public void WriteParameters(ref TpmWriter writer) { }

    /// <inheritdoc/>
    public ReadPublicResponse ReadResponse(ReadOnlySpan<uint> handles, ref TpmReader parameters) => new(
        Tpm2b<TpmtPublic>.ReadFrom(ref parameters),
        parameters.ReadSized(Tpm2bLimits.Name, "TPM2B_NAME name"),
        parameters.ReadSized(Tpm2bLimits.Name, "TPM2B_NAME qualifiedName"));
}

/// <summary>TPM2_ReadPublic response.</summary>
public sealed record ReadPublicResponse(Tpm2b<TpmtPublic> OutPublic, byte[] Name, byte[] QualifiedName);
