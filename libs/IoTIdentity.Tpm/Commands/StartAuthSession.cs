using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Tpm.Commands;

/// <summary>TPM2_StartAuthSession — Part 3, §11.1.</summary>
public sealed record StartAuthSession(uint TpmKey, uint Bind, byte[] NonceCaller, byte[] EncryptedSalt, TpmSe SessionType, TpmtSymDef Symmetric, TpmAlgId AuthHash)
    : ITpmCommand<StartAuthSessionResponse>
{
    /// <inheritdoc/>
    public TpmCc Code => TpmCc.StartAuthSession;

    /// <inheritdoc/>
    public IReadOnlyList<uint> Handles => [TpmKey, Bind];

    /// <inheritdoc/>
    public int ResponseHandleCount => 1;

    /// <inheritdoc/>
    public void WriteParameters(ref TpmWriter writer)
    {
        writer.WriteSized(NonceCaller);
        writer.WriteSized(EncryptedSalt);
        writer.WriteByte((byte)SessionType);
        Symmetric.WriteTo(ref writer);
        writer.WriteUInt16((ushort)AuthHash);
    }

    /// <inheritdoc/>
    public StartAuthSessionResponse ReadResponse(ReadOnlySpan<uint> handles, ref TpmReader parameters) =>
        new(handles[0], parameters.ReadSized(Tpm2bLimits.Digest, "TPM2B_NONCE nonceTPM"));
}

/// <summary>TPM2_StartAuthSession response.</summary>
public sealed record StartAuthSessionResponse(uint SessionHandle, byte[] NonceTpm);
