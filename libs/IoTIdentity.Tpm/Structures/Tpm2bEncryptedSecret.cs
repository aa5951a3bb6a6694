using IoTIdentity.Tpm.Marshalling;

namespace IoTIdentity.Tpm.Structures;

/// <summary>
/// TPM2B_ENCRYPTED_SECRET — Part 2, §11.4.33: a seed protected to a key — an RSA-OAEP ciphertext, or for ECC a
/// marshalled TPMS_ECC_POINT (the ephemeral public point).
/// </summary>
public sealed record Tpm2bEncryptedSecret(byte[] Secret) : ITpmStructure<Tpm2bEncryptedSecret>
{
    /// <inheritdoc/>
    public void WriteTo(ref TpmWriter writer) => writer.WriteSized(Secret);

    /// <inheritdoc/>
    public static Tpm2bEncryptedSecret ReadFrom(ref TpmReader reader) =>
        new(reader.ReadSized(Tpm2bLimits.EncryptedSecret, "TPM2B_ENCRYPTED_SECRET"));
}
