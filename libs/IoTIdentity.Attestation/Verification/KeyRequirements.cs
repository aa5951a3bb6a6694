using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Attestation.Verification;

/// <summary>
/// What an attestation key and a certified device key must look like. The checks, in order:
/// <list type="number">
/// <item>the name algorithm is an allowed one (default SHA-256);</item>
/// <item>the key is RSA of at least <see cref="MinRsaBits"/> bits or ECC on an allowed curve;</item>
/// <item>fixedTPM, fixedParent and sensitiveDataOrigin are set (the key was born in, and cannot leave, this TPM);</item>
/// <item>sign is set and decrypt is not;</item>
/// <item>an AK is restricted and has a signing scheme with an allowed hash; a device key is not restricted.</item>
/// </list>
/// </summary>
public sealed record KeyRequirements
{
    /// <summary>The defaults: SHA-256 names, RSA ≥ 2048, P-256 or P-384.</summary>
    public static KeyRequirements Default { get; } = new();

    /// <summary>Allowed name algorithms.</summary>
    public IReadOnlySet<TpmAlgId> NameAlgorithms { get; init; } = new HashSet<TpmAlgId> { TpmAlgId.Sha256 };

    /// <summary>Allowed signing-scheme hashes for an AK.</summary>
    public IReadOnlySet<TpmAlgId> SchemeHashes { get; init; } = new HashSet<TpmAlgId> { TpmAlgId.Sha256, TpmAlgId.Sha384, TpmAlgId.Sha512 };

    /// <summary>Smallest RSA modulus accepted.</summary>
    public int MinRsaBits { get; init; } = 2048;

    /// <summary>Allowed ECC curves.</summary>
    public IReadOnlySet<TpmEccCurve> Curves { get; init; } = new HashSet<TpmEccCurve> { TpmEccCurve.NistP256, TpmEccCurve.NistP384 };

    private const TpmaObject Resident = TpmaObject.FixedTpm | TpmaObject.FixedParent | TpmaObject.SensitiveDataOrigin;

    /// <summary>Checks an attestation key; throws <see cref="VerificationException"/> naming the first failed check.</summary>
    public void CheckAttestationKey(TpmtPublic ak)
    {
        CheckCommon(ak, "AK");
        if ((ak.Attributes & TpmaObject.Restricted) == 0) Fail(AttestationFailure.KeyAttributes, "AK is not restricted");
        var (scheme, fits) = ak.Parameters switch
        {
            TpmsRsaParms rsa => (rsa.Scheme, rsa.Scheme.Scheme is TpmAlgId.RsaSsa or TpmAlgId.RsaPss),
            TpmsEccParms ecc => (ecc.Scheme, ecc.Scheme.Scheme is TpmAlgId.EcDsa),
            _ => (TpmtScheme.Null, false),
        };
        if (!fits)
            Fail(AttestationFailure.KeyAlgorithm, $"AK signing scheme {scheme.Scheme} is not RSASSA or RSAPSS for an RSA key, ECDSA for an ECC key");
        if (!SchemeHashes.Contains(scheme.Hash)) Fail(AttestationFailure.KeyAlgorithm, $"AK scheme hash {scheme.Hash} is not allowed");
    }

    /// <summary>Checks a device (identity) key presented for certification.</summary>
    public void CheckDeviceKey(TpmtPublic key)
    {
        CheckCommon(key, "device key");
        if ((key.Attributes & TpmaObject.Restricted) != 0) Fail(AttestationFailure.KeyAttributes, "device key is restricted");
    }

    private void CheckCommon(TpmtPublic key, string what)
    {
        if (!NameAlgorithms.Contains(key.NameAlg)) Fail(AttestationFailure.KeyAlgorithm, $"{what} name algorithm {key.NameAlg} is not allowed");
        switch (key.Parameters, key.Unique)
        {
            case (TpmsRsaParms rsa, TpmRsaPublicId id):
                if (rsa.KeyBits < MinRsaBits || id.Modulus.Length * 8 != rsa.KeyBits)
                    Fail(AttestationFailure.KeyAlgorithm, $"{what} RSA size {rsa.KeyBits} (modulus {id.Modulus.Length * 8} bits) is below {MinRsaBits} or inconsistent");
                if (rsa.EffectiveExponent < 3 || rsa.EffectiveExponent % 2 == 0 || (id.Modulus[^1] & 1) == 0)
                    Fail(AttestationFailure.KeyAlgorithm, $"{what} RSA exponent {rsa.EffectiveExponent} or modulus is unusable");
                break;
            case (TpmsEccParms ecc, TpmEccPublicId):
                if (!Curves.Contains(ecc.Curve)) Fail(AttestationFailure.KeyAlgorithm, $"{what} curve {ecc.Curve} is not allowed");
                if (!Keys.TpmPublicKeys.IsOnCurve(key)) Fail(AttestationFailure.KeyAlgorithm, $"{what} public point is not on its curve");
                break;
            default:
                Fail(AttestationFailure.KeyAlgorithm, $"{what} is a {key.Type} object, not an RSA or ECC key");
                break;
        }
        if ((key.Attributes & Resident) != Resident)
            Fail(AttestationFailure.KeyAttributes, $"{what} lacks fixedTPM, fixedParent or sensitiveDataOrigin ({key.Attributes})");
        if ((key.Attributes & TpmaObject.SignEncrypt) == 0) Fail(AttestationFailure.KeyAttributes, $"{what} is not a signing key");
        if ((key.Attributes & TpmaObject.Decrypt) != 0) Fail(AttestationFailure.KeyAttributes, $"{what} is also a decryption key");
    }

    private static void Fail(AttestationFailure failure, string detail) => throw new VerificationException(failure, detail);
}
