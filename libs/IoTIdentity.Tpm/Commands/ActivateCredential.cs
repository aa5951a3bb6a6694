using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Tpm.Commands;

/// <summary>
/// TPM2_ActivateCredential — Part 3, §12.5: with the key that protects <see cref="Secret"/> (the EK), recovers the
/// credential in <see cref="CredentialBlob"/> if it was made for the Name of <see cref="ActivateHandle"/> (the AK).
/// The AK needs its ADMIN role, the EK its USER role (for a TCG EK: a policy session with PolicySecret(endorsement)).
/// </summary>
public sealed record ActivateCredential(uint ActivateHandle, uint KeyHandle, Tpm2bIdObject CredentialBlob, Tpm2bEncryptedSecret Secret)
    : ITpmCommand<byte[]>
{
    /// <inheritdoc/>
    public TpmCc Code => TpmCc.ActivateCredential;

    /// <inheritdoc/>
    public IReadOnlyList<uint> Handles => [ActivateHandle, KeyHandle];

    /// <inheritdoc/>
    public int AuthorizedHandleCount => 2;

    /// <inheritdoc/>
    public void WriteParameters(ref TpmWriter writer)
    {
        CredentialBlob.WriteTo(ref writer);
        Secret.WriteTo(ref writer);
    }

    /// <inheritdoc/>
    public byte[] ReadResponse(ReadOnlySpan<uint> handles, ref TpmReader parameters) =>
        parameters.ReadSized(Tpm2bLimits.Digest, "TPM2B_DIGEST certInfo");
}
