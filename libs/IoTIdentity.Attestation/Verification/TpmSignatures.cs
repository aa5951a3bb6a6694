using System.Security.Cryptography;
using IoTIdentity.Attestation.Keys;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Attestation.Verification;

/// <summary>
/// Verifies a TPMT_SIGNATURE over a message with a TPM public key, using the platform's RSA and ECDSA (several times
/// faster than managed implementations). The signature's scheme must fit the key: RSASSA/RSAPSS for RSA, ECDSA for
/// ECC, and the key's own scheme and hash when the key fixes one.
/// </summary>
public static class TpmSignatures
{
    /// <summary>Verifies, throwing <see cref="VerificationException"/> (SignatureScheme or Signature) on failure.</summary>
    public static void Verify(TpmtPublic key, ReadOnlySpan<byte> message, TpmtSignature signature)
    {
        using var verifier = new TpmVerificationKey(key);
        Verify(verifier, message, signature);
    }

    /// <summary>
    /// Verifies with a key imported at most once for every signature it checks; throws <see cref="VerificationException"/>
    /// (SignatureScheme or Signature) on failure.
    /// </summary>
    public static void Verify(TpmVerificationKey verifier, ReadOnlySpan<byte> message, TpmtSignature signature)
    {
        ArgumentNullException.ThrowIfNull(verifier);
        var key = verifier.Public;
        var keyScheme = key.Parameters switch
        {
            TpmsRsaParms rsa => rsa.Scheme,
            TpmsEccParms ecc => ecc.Scheme,
            _ => throw new VerificationException(AttestationFailure.SignatureScheme, $"{key.Type} keys do not sign"),
        };
        if (keyScheme.Scheme != TpmAlgId.Null && (keyScheme.Scheme != signature.SigAlg || keyScheme.Hash != signature.Hash))
            throw new VerificationException(AttestationFailure.SignatureScheme, $"signature {signature.SigAlg}/{signature.Hash} does not match key scheme {keyScheme.Scheme}/{keyScheme.Hash}");
        if (!TpmHash.IsHash(signature.Hash))
            throw new VerificationException(AttestationFailure.SignatureScheme, $"signature hash {signature.Hash} is not supported");
        bool valid;
        try
        {
            valid = VerifyCore(verifier, message, signature);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new VerificationException(AttestationFailure.Signature, $"the key cannot verify: {e.Message}");
        }
        if (!valid) throw new VerificationException(AttestationFailure.Signature, "signature does not verify with the signing key");
    }

    private static bool VerifyCore(TpmVerificationKey verifier, ReadOnlySpan<byte> message, TpmtSignature signature)
    {
        var key = verifier.Public;
        var hash = TpmHash.Name(signature.Hash);
        bool valid;
        switch (signature, key.Parameters)
        {
            case (TpmsSignatureRsa rsaSig, TpmsRsaParms):
                var rsa = verifier.Rsa;
                var padding = rsaSig.Scheme == TpmAlgId.RsaPss ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;
                valid = rsaSig.Signature.Length == rsa.KeySize / 8 && rsa.VerifyData(message, rsaSig.Signature, hash, padding);
                break;
            case (TpmsSignatureEcc { Scheme: TpmAlgId.EcDsa } eccSig, TpmsEccParms eccParms):
                var size = TpmPublicKeys.CoordinateSize(eccParms.Curve);
                if (eccSig.R.Length > size || eccSig.S.Length > size) { valid = false; break; }
                Span<byte> rs = stackalloc byte[2 * size];
                eccSig.R.CopyTo(rs[(size - eccSig.R.Length)..size]);
                eccSig.S.CopyTo(rs[(2 * size - eccSig.S.Length)..]);
                valid = verifier.Ecdsa.VerifyData(message, rs, hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
                break;
            default:
                throw new VerificationException(AttestationFailure.SignatureScheme, $"{signature.SigAlg} signature cannot be verified with a {key.Type} key");
        }
        return valid;
    }
}
