using System.Security.Cryptography;
using IoTIdentity.Attestation.Crypto;
using IoTIdentity.Attestation.Keys;
using IoTIdentity.Attestation.Verification;
using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Attestation.Credentials;

/// <summary>
/// TPM2_MakeCredential done in software by the verifier (Part 1, §24; Part 3, §12.6): binds a fresh secret to the
/// Name of the attestation key and protects it to the EK, so only the TPM holding that EK — and only if it also holds
/// an object with that Name — can recover it with TPM2_ActivateCredential. See docs/credential-activation.md.
/// </summary>
public static class CredentialMaker
{
    /// <summary>The size of the secret this service sends (the EK name algorithm's digest size, at most).</summary>
    public const int SecretSize = 32;

    /// <summary>
    /// Makes a credential for <paramref name="objectName"/> protected to <paramref name="ek"/>, with a fresh random
    /// secret. The EK must be a restricted decryption key with an AES symmetric definition (every TCG EK template).
    /// </summary>
    public static MadeCredential Make(TpmtPublic ek, ReadOnlySpan<byte> objectName, RandomNumberGenerator random)
    {
        CheckProtector(ek); // before sizing the secret from the EK's name algorithm
        var secret = new byte[Math.Min(SecretSize, TpmHash.DigestSize(ek.NameAlg))];
        random.GetBytes(secret);
        return Make(ek, objectName, secret, random);
    }

    /// <summary>Makes a credential carrying the given <paramref name="secret"/>.</summary>
    public static MadeCredential Make(TpmtPublic ek, ReadOnlySpan<byte> objectName, byte[] secret, RandomNumberGenerator random)
    {
        var symmetric = CheckProtector(ek);
        var nameAlg = TpmHash.Name(ek.NameAlg);
        CredentialSeed seed;
        try
        {
            seed = CreateSeed(ek, nameAlg, random);
        }
        catch (ArgumentException e)
        {
            throw new VerificationException(AttestationFailure.KeyAlgorithm, $"the EK's key material is unusable: {e.Message}");
        }
        try
        {
            var idObject = CredentialProtection.Wrap(nameAlg, symmetric.KeyBits, seed.Seed, objectName, secret);
            var blob = TpmMarshal.FromBytes<Tpm2bIdObject>(idObject);
            return new MadeCredential(blob, new Tpm2bEncryptedSecret(seed.EncryptedSecret), secret);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed.Seed);
        }
    }

    /// <summary>Checks the secret returned by the device against the one sent, in constant time.</summary>
    public static void CheckActivation(MadeCredential credential, ReadOnlySpan<byte> activated) => CheckActivation(credential.Secret, activated);

    /// <summary>Checks an activated secret against the expected one, in constant time; throws <see cref="VerificationException"/>.</summary>
    public static void CheckActivation(ReadOnlySpan<byte> expected, ReadOnlySpan<byte> activated)
    {
        if (!CryptographicOperations.FixedTimeEquals(expected, activated))
            throw new VerificationException(AttestationFailure.ActivationSecret, "the activated secret is not the one sent");
    }

    private static CredentialSeed CreateSeed(TpmtPublic ek, HashAlgorithmName nameAlg, RandomNumberGenerator random) =>
        ek.Parameters switch
        {
            TpmsRsaParms => CreateRsaSeed(ek, nameAlg, random),
            TpmsEccParms ecc when TpmPublicKeys.Curve(ecc.Curve) is null =>
                throw new VerificationException(AttestationFailure.KeyAlgorithm, $"EK curve {ecc.Curve} is not supported"),
            TpmsEccParms => CreateEccSeed(ek, nameAlg, random),
            _ => throw new VerificationException(AttestationFailure.KeyAlgorithm, $"{ek.Type} EK cannot protect a credential"),
        };

    private static TpmtSymDef CheckProtector(TpmtPublic ek)
    {
        const TpmaObject required = TpmaObject.Restricted | TpmaObject.Decrypt;
        if ((ek.Attributes & required) != required || (ek.Attributes & TpmaObject.SignEncrypt) != 0)
            throw new VerificationException(AttestationFailure.KeyAttributes, $"EK attributes {ek.Attributes} are not those of a storage (restricted decryption) key");
        if (!TpmHash.IsHash(ek.NameAlg))
            throw new VerificationException(AttestationFailure.KeyAlgorithm, $"EK name algorithm {ek.NameAlg} is not supported");
        var symmetric = ek.Parameters switch
        {
            TpmsRsaParms rsa => rsa.Symmetric,
            TpmsEccParms ecc => ecc.Symmetric,
            _ => TpmtSymDef.Null,
        };
        if (symmetric.Algorithm != TpmAlgId.Aes || symmetric.Mode != TpmAlgId.Cfb || symmetric.KeyBits is not (128 or 192 or 256))
            throw new VerificationException(AttestationFailure.KeyAlgorithm, "EK symmetric definition is not AES-CFB");
        return symmetric;
    }

    private static CredentialSeed CreateRsaSeed(TpmtPublic ek, HashAlgorithmName nameAlg, RandomNumberGenerator random)
    {
        var parameters = TpmPublicKeys.RsaParameters(ek);
        return RsaSeedEncryption.Create(nameAlg, parameters.Modulus, parameters.Exponent, random);
    }

    private static CredentialSeed CreateEccSeed(TpmtPublic ek, HashAlgorithmName nameAlg, RandomNumberGenerator random)
    {
        var parameters = TpmPublicKeys.EcParameters(ek);
        return EccSeedEncryption.Create(nameAlg, parameters.Curve, parameters.Q.X, parameters.Q.Y, random);
    }
}
