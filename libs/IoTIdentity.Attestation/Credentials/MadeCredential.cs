using IoTIdentity.Tpm.Structures;

namespace IoTIdentity.Attestation.Credentials;

/// <summary>
/// The output of MakeCredential: what the device passes to TPM2_ActivateCredential. The secret itself stays with
/// the verifier (<see cref="Secret"/> is never sent).
/// </summary>
public sealed class MadeCredential
{
    internal MadeCredential(Tpm2bIdObject credentialBlob, Tpm2bEncryptedSecret encryptedSecret, byte[] secret)
    {
        CredentialBlob = credentialBlob;
        EncryptedSecret = encryptedSecret;
        Secret = secret;
    }

    /// <summary>TPM2B_ID_OBJECT: the credential wrapped for Name(AK) under a seed.</summary>
    public Tpm2bIdObject CredentialBlob { get; }

    /// <summary>TPM2B_ENCRYPTED_SECRET: the seed, protected to the EK.</summary>
    public Tpm2bEncryptedSecret EncryptedSecret { get; }

    /// <summary>The credential (the challenge secret) the device must give back.</summary>
    public byte[] Secret { get; }
}
