using System.Security.Cryptography;
using IoTIdentity.Attestation.Keys;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Attestation.Verification;

/// <summary>
/// Verifies a TPM2_Certify of a device key by an attestation key: proof that the key is loaded in the same TPM
/// and can never leave it. Pure and offline. The checks, in order:
/// <list type="number">
/// <item><see cref="AttestationFailure.Malformed"/>: the attestation bytes parse as exactly one TPMS_ATTEST;</item>
/// <item><see cref="AttestationFailure.SignatureScheme"/>, <see cref="AttestationFailure.Signature"/>: the signature
/// verifies with the AK over the bytes as received;</item>
/// <item><see cref="AttestationFailure.Magic"/>, <see cref="AttestationFailure.Type"/> (TPM_ST_ATTEST_CERTIFY),
/// <see cref="AttestationFailure.Nonce"/> (constant time);</item>
/// <item><see cref="AttestationFailure.CertifiedName"/>: the certified Name equals Name(key) computed over the
/// public area exactly as presented;</item>
/// <item><see cref="AttestationFailure.KeyAlgorithm"/>, <see cref="AttestationFailure.KeyAttributes"/>: the key is
/// an acceptable signing key with fixedTPM, fixedParent and sensitiveDataOrigin, not restricted
/// (<see cref="KeyRequirements.CheckDeviceKey"/>).</item>
/// </list>
/// </summary>
public static class CertifyVerifier
{
    /// <summary>Runs every check; throws <see cref="VerificationException"/> with the first failure.</summary>
    public static VerifiedCertify Verify(TpmtPublic ak, ReadOnlySpan<byte> attestBytes, TpmtSignature signature,
        ReadOnlySpan<byte> nonce, Tpm2b<TpmtPublic> certifiedKey, KeyRequirements? requirements = null)
    {
        using var verifier = new TpmVerificationKey(ak);
        return Verify(verifier, attestBytes, signature, nonce, certifiedKey, requirements);
    }

    /// <summary>Runs every check with an AK imported once for the whole attest (quote and certify).</summary>
    public static VerifiedCertify Verify(TpmVerificationKey ak, ReadOnlySpan<byte> attestBytes, TpmtSignature signature,
        ReadOnlySpan<byte> nonce, Tpm2b<TpmtPublic> certifiedKey, KeyRequirements? requirements = null)
    {
        var attest = QuoteVerifier.Parse(attestBytes);
        TpmSignatures.Verify(ak, attestBytes, signature);
        QuoteVerifier.CheckHeader(attest, TpmSt.AttestCertify, nonce);
        var info = (TpmsCertifyInfo)attest.Attested;
        if (!TpmHash.IsHash(certifiedKey.Value.NameAlg))
            throw new VerificationException(AttestationFailure.KeyAlgorithm, "certified key has no name algorithm");
        var name = TpmNames.Of(certifiedKey);
        if (!CryptographicOperations.FixedTimeEquals(name, info.Name))
            throw new VerificationException(AttestationFailure.CertifiedName, "certified Name is not the Name of the presented key");
        (requirements ?? KeyRequirements.Default).CheckDeviceKey(certifiedKey.Value);
        return new VerifiedCertify(attest, certifiedKey, name);
    }
}
