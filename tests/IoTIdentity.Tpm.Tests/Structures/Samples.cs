using System.Security.Cryptography;
using System.Text;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Tpm.Tests.Structures;

/// <summary>
/// Realistic structures as a TPM produces or consumes them: the TCG EK templates, an attestation key, a quote and a
/// certify, their signatures, the EK certificate NV index, creation data. Key material and digests are
/// deterministic filler (<see cref="Filler"/>) of the right sizes.
/// </summary>
public static class Samples
{
    /// <summary>The TCG EK policy: PolicySecret(TPM_RH_ENDORSEMENT) (EK Credential Profile, B.3.3).</summary>
    public static readonly byte[] EkPolicy = Convert.FromHexString("837197674484B3F81A90CC8D46A5D724FD52D76E06520B64F2A1DA1B331469AA");

    /// <summary>fixedTPM | fixedParent | sensitiveDataOrigin | adminWithPolicy | restricted | decrypt = 0x000300B2.</summary>
    public const TpmaObject EkAttributes = TpmaObject.FixedTpm | TpmaObject.FixedParent | TpmaObject.SensitiveDataOrigin
        | TpmaObject.AdminWithPolicy | TpmaObject.Restricted | TpmaObject.Decrypt;

    /// <summary>fixedTPM | fixedParent | sensitiveDataOrigin | userWithAuth | restricted | sign = 0x00050072.</summary>
    public const TpmaObject AkAttributes = TpmaObject.FixedTpm | TpmaObject.FixedParent | TpmaObject.SensitiveDataOrigin
        | TpmaObject.UserWithAuth | TpmaObject.Restricted | TpmaObject.SignEncrypt;

    /// <summary>Deterministic bytes standing in for key material, nonces and digests.</summary>
    public static byte[] Filler(string label, int length)
    {
        var result = new byte[length];
        var block = 0;
        for (var offset = 0; offset < length; offset += 32, block++)
        {
            var digest = SHA256.HashData(Encoding.UTF8.GetBytes($"{label}/{block}"));
            digest.AsSpan(0, Math.Min(32, length - offset)).CopyTo(result.AsSpan(offset));
        }
        return result;
    }

    /// <summary>A SHA-256 Name (nameAlg || digest) made of filler.</summary>
    public static byte[] Sha256Name(string label) => [0x00, 0x0B, .. Filler(label, 32)];

    /// <summary>The TCG EK template RSA-2048 (template L-1), as given to CreatePrimary.</summary>
    public static TpmtPublic EkRsaTemplate { get; } = new(
        TpmAlgId.Sha256, EkAttributes, EkPolicy,
        new TpmsRsaParms(TpmtSymDef.Aes128Cfb, TpmtScheme.Null, 2048, 0),
        new TpmRsaPublicId(new byte[256]));

    /// <summary>The TCG EK template ECC NIST P-256 (template L-2), as given to CreatePrimary.</summary>
    public static TpmtPublic EkEccTemplate { get; } = new(
        TpmAlgId.Sha256, EkAttributes, EkPolicy,
        new TpmsEccParms(TpmtSymDef.Aes128Cfb, TpmtScheme.Null, TpmEccCurve.NistP256, TpmtScheme.Null),
        new TpmEccPublicId(new TpmsEccPoint(new byte[32], new byte[32])));

    /// <summary>An RSA-2048 EK as CreatePrimary returns it (the modulus filled in).</summary>
    public static TpmtPublic EkRsa { get; } = EkRsaTemplate with { Unique = new TpmRsaPublicId(Filler("ek-rsa-modulus", 256)) };

    /// <summary>A restricted RSASSA-SHA256 attestation key.</summary>
    public static TpmtPublic AkRsa { get; } = new(
        TpmAlgId.Sha256, AkAttributes, [],
        new TpmsRsaParms(TpmtSymDef.Null, new TpmtScheme(TpmAlgId.RsaSsa, TpmAlgId.Sha256), 2048, 0),
        new TpmRsaPublicId(Filler("ak-rsa-modulus", 256)));

    /// <summary>A restricted ECDSA-SHA256 NIST P-256 attestation key.</summary>
    public static TpmtPublic AkEcc { get; } = new(
        TpmAlgId.Sha256, AkAttributes, [],
        new TpmsEccParms(TpmtSymDef.Null, new TpmtScheme(TpmAlgId.EcDsa, TpmAlgId.Sha256), TpmEccCurve.NistP256, TpmtScheme.Null),
        new TpmEccPublicId(new TpmsEccPoint(Filler("ak-ecc-x", 32), Filler("ak-ecc-y", 32))));

    /// <summary>A sealed data object (keyedhash, NULL scheme) bound to a policy.</summary>
    public static TpmtPublic SealedData { get; } = new(
        TpmAlgId.Sha256, TpmaObject.FixedTpm | TpmaObject.FixedParent | TpmaObject.NoDa, Filler("seal-policy", 32),
        new TpmsKeyedHashParms(TpmtScheme.Null),
        new TpmDigestPublicId(Filler("seal-unique", 32)));

    /// <summary>An HMAC-SHA256 signing key (keyedhash, HMAC scheme).</summary>
    public static TpmtPublic HmacKey { get; } = new(
        TpmAlgId.Sha256, TpmaObject.FixedTpm | TpmaObject.FixedParent | TpmaObject.SensitiveDataOrigin
            | TpmaObject.UserWithAuth | TpmaObject.SignEncrypt, [],
        new TpmsKeyedHashParms(new TpmtScheme(TpmAlgId.Hmac, TpmAlgId.Sha256)),
        new TpmDigestPublicId(Filler("hmac-unique", 32)));

    /// <summary>A restricted decryption keyedhash parent with an XOR scheme (hash and KDF).</summary>
    public static TpmtPublic XorDerivationParent { get; } = new(
        TpmAlgId.Sha256, TpmaObject.FixedTpm | TpmaObject.FixedParent | TpmaObject.UserWithAuth
            | TpmaObject.Restricted | TpmaObject.Decrypt, [],
        new TpmsKeyedHashParms(new TpmtScheme(TpmAlgId.Xor, TpmAlgId.Sha256, Kdf: TpmAlgId.Kdf1Sp800_108)),
        new TpmDigestPublicId(Filler("xor-unique", 32)));

    /// <summary>An AES-128-CFB symmetric storage parent.</summary>
    public static TpmtPublic AesKey { get; } = new(
        TpmAlgId.Sha256, TpmaObject.FixedTpm | TpmaObject.FixedParent | TpmaObject.SensitiveDataOrigin
            | TpmaObject.UserWithAuth | TpmaObject.Restricted | TpmaObject.Decrypt, [],
        new TpmsSymCipherParms(TpmtSymDef.Aes128Cfb),
        new TpmDigestPublicId(Filler("aes-unique", 32)));

    /// <summary>The clock of a TPM that has run a while, with Safe set.</summary>
    public static TpmsClockInfo Clock { get; } = new(0x0000_0001_2F3A_4B5C, 7, 2, true);

    /// <summary>swtpm's firmware version words.</summary>
    public const ulong FirmwareVersion = 0x2019_1023_0016_3636;

    /// <summary>A quote over SHA-256 PCRs 0–7 with a 32-byte nonce.</summary>
    public static TpmsAttest Quote { get; } = new(
        TpmConstants.Generated, Sha256Name("ak"), Filler("nonce", 32), Clock, FirmwareVersion,
        new TpmsQuoteInfo(TpmlPcrSelection.Of(TpmAlgId.Sha256, 0, 1, 2, 3, 4, 5, 6, 7), Filler("pcr-digest", 32)));

    /// <summary>The AK certifying a device key.</summary>
    public static TpmsAttest Certify { get; } = new(
        TpmConstants.Generated, Sha256Name("ak"), Filler("certify-nonce", 32), Clock, FirmwareVersion,
        new TpmsCertifyInfo(Sha256Name("device-key"), Sha256Name("device-key-qualified")));

    /// <summary>RSASSA-PKCS1-v1_5 SHA-256 with a 2048-bit key.</summary>
    public static TpmtSignature RsaSignature { get; } = new TpmsSignatureRsa(TpmAlgId.RsaSsa, TpmAlgId.Sha256, Filler("rsa-sig", 256));

    /// <summary>ECDSA SHA-256 on P-256.</summary>
    public static TpmtSignature EccSignature { get; } = new TpmsSignatureEcc(TpmAlgId.EcDsa, TpmAlgId.Sha256, Filler("ecc-r", 32), Filler("ecc-s", 32));

    /// <summary>The RSA EK certificate index (TCG EK Credential Profile, 0x01C00002), platform-created.</summary>
    public static TpmsNvPublic EkCertificateIndex { get; } = new(
        0x01C00002, TpmAlgId.Sha256,
        TpmaNv.PpWrite | TpmaNv.WriteDefine | TpmaNv.PpRead | TpmaNv.OwnerRead | TpmaNv.AuthRead | TpmaNv.NoDa
            | TpmaNv.Written | TpmaNv.PlatformCreate,
        [], 1046);

    /// <summary>Creation data of a key created under the SRK with SHA-256 PCRs 0–7 recorded.</summary>
    public static TpmsCreationData CreationData { get; } = new(
        TpmlPcrSelection.Of(TpmAlgId.Sha256, 0, 1, 2, 3, 4, 5, 6, 7), Filler("creation-pcr-digest", 32),
        0x01, TpmAlgId.Sha256, Sha256Name("srk"), Sha256Name("srk-qualified"), []);
}
