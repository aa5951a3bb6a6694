using System.Buffers.Binary;

namespace IoTIdentity.Attestation.Crypto;

/// <summary>
/// A freshly made credential-protection seed and the encrypted form only the protecting key (the EK) can recover:
/// the pair TPM2_MakeCredential returns next to the TPM2B_ID_OBJECT (Part 1, §24.3; Part 3, §12.6).
/// </summary>
/// <remarks><see cref="Seed"/> is a secret: pass it to <see cref="CredentialProtection.Wrap"/>, never log or store it.</remarks>
public sealed class CredentialSeed
{
    internal CredentialSeed(byte[] seed, byte[] encryptedSecret)
    {
        Seed = seed;
        EncryptedSecret = encryptedSecret;
    }

    /// <summary>The seed from which the symmetric and HMAC keys of the credential blob are derived.</summary>
    public byte[] Seed { get; }

    /// <summary>
    /// The contents of the TPM2B_ENCRYPTED_SECRET, without its size: the RSA-OAEP ciphertext for an RSA key, or the
    /// marshalled TPMS_ECC_POINT of the ephemeral key for an ECC key.
    /// </summary>
    public byte[] EncryptedSecret { get; }

    /// <summary>The marshalled TPM2B_ENCRYPTED_SECRET: UINT16 size || <see cref="EncryptedSecret"/>.</summary>
    /// <returns>A new array.</returns>
    public byte[] ToTpm2bEncryptedSecret()
    {
        var bytes = new byte[2 + EncryptedSecret.Length];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, checked((ushort)EncryptedSecret.Length));
        EncryptedSecret.CopyTo(bytes, 2);
        return bytes;
    }
}
