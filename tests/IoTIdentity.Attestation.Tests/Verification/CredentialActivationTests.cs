using System.Security.Cryptography;
using IoTIdentity.Attestation.Credentials;
using IoTIdentity.Attestation.Tests.Keys;
using IoTIdentity.Attestation.Verification;
using IoTIdentity.Tpm.Ek;
using IoTIdentity.Tpm.Keys;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Attestation.Tests.Verification;

/// <summary>
/// The verifier's side of credential activation: which EKs CredentialMaker will protect a credential to, and
/// CheckActivation refusing any secret but the one sent. (That a TPM recovers the secret is shown against swtpm.)
/// </summary>
public sealed class CredentialActivationTests(EkFixture ek, SoftwareKeysFixture keys) : IClassFixture<EkFixture>, IClassFixture<SoftwareKeysFixture>
{
    private byte[] AkName => keys.EccAk.Name;

    public static TheoryData<string> EkKinds => new() { "rsa", "ecc" };

    private TpmtPublic Ek(string kind) => kind == "rsa" ? EkFixture.RsaArea(ek.Rsa) : EkFixture.EccArea(ek.EccP256);

    private AttestationFailure RefuseToMake(TpmtPublic ekArea) =>
        Refusal.Of(() => CredentialMaker.Make(ekArea, AkName, RandomNumberGenerator.Create()));

    private static TpmtPublic WithSymmetric(TpmtPublic ekArea, TpmtSymDef symmetric) => ekArea with
    {
        Parameters = ekArea.Parameters switch
        {
            TpmsRsaParms rsa => rsa with { Symmetric = symmetric },
            TpmsEccParms ecc => ecc with { Symmetric = symmetric },
            _ => throw new ArgumentOutOfRangeException(nameof(ekArea)),
        },
    };

    // ---- positive controls ----

    [Theory]
    [MemberData(nameof(EkKinds))]
    public void The_secret_sent_is_accepted_back(string kind)
    {
        var made = CredentialMaker.Make(Ek(kind), AkName, RandomNumberGenerator.Create());

        Assert.Equal(CredentialMaker.SecretSize, made.Secret.Length);
        CredentialMaker.CheckActivation(made, made.Secret.ToArray());
    }

    [Fact]
    public void A_credential_can_be_made_to_a_P384_EK_with_a_SHA384_name()
    {
        var made = CredentialMaker.Make(EkFixture.EccArea(ek.EccP384), AkName, RandomNumberGenerator.Create());

        CredentialMaker.CheckActivation(made, made.Secret);
    }

    // ---- ActivationSecret ----

    public static TheoryData<string> WrongSecrets => new() { "one bit flipped", "truncated", "extended", "empty", "another credential's" };

    [Theory]
    [MemberData(nameof(WrongSecrets))]
    public void A_wrong_activated_secret_is_refused_with_ActivationSecret(string how)
    {
        var made = CredentialMaker.Make(Ek("ecc"), AkName, RandomNumberGenerator.Create());
        var activated = how switch
        {
            "one bit flipped" => Flip(made.Secret),
            "truncated" => made.Secret[..^1],
            "extended" => [.. made.Secret, 0],
            "empty" => [],
            _ => CredentialMaker.Make(Ek("ecc"), AkName, RandomNumberGenerator.Create()).Secret,
        };

        Assert.True(Refusal.Of(() => CredentialMaker.CheckActivation(made, activated)) == AttestationFailure.ActivationSecret, how);

        static byte[] Flip(byte[] secret)
        {
            var copy = secret.ToArray();
            copy[^1] ^= 0x80;
            return copy;
        }
    }

    // ---- KeyAttributes ----

    public static TheoryData<string, string> NotStorageKeys => new()
    {
        { "rsa", "not restricted" },
        { "rsa", "not a decryption key" },
        { "ecc", "also a signing key" },
        { "ecc", "an AK" },
    };

    [Theory]
    [MemberData(nameof(NotStorageKeys))]
    public void An_EK_that_is_not_a_restricted_decryption_key_cannot_protect_a_credential(string kind, string how)
    {
        var area = Ek(kind);
        var attributes = how switch
        {
            "not restricted" => area.Attributes & ~TpmaObject.Restricted,
            "not a decryption key" => (area.Attributes & ~TpmaObject.Decrypt) | TpmaObject.SignEncrypt,
            "also a signing key" => area.Attributes | TpmaObject.SignEncrypt,
            _ => KeyTemplates.AkAttributes,
        };

        Assert.True(RefuseToMake(area with { Attributes = attributes }) == AttestationFailure.KeyAttributes, how);
    }

    // ---- KeyAlgorithm ----

    public static TheoryData<string, string> NotAesCfb => new()
    {
        { "rsa", "NULL" },
        { "ecc", "NULL" },
        { "rsa", "AES-128-CBC" },
        { "ecc", "AES-128-CTR" },
        { "rsa", "AES-512-CFB" },
        { "ecc", "XOR" },
    };

    [Theory]
    [MemberData(nameof(NotAesCfb))]
    public void An_EK_with_a_symmetric_definition_other_than_AES_CFB_fails_with_KeyAlgorithm(string kind, string symmetric)
    {
        var definition = symmetric switch
        {
            "NULL" => TpmtSymDef.Null,
            "AES-128-CBC" => new TpmtSymDef(TpmAlgId.Aes, 128, TpmAlgId.Cbc),
            "AES-128-CTR" => new TpmtSymDef(TpmAlgId.Aes, 128, TpmAlgId.Ctr),
            "AES-512-CFB" => new TpmtSymDef(TpmAlgId.Aes, 512, TpmAlgId.Cfb),
            _ => new TpmtSymDef(TpmAlgId.Xor, (ushort)TpmAlgId.Sha256, TpmAlgId.Null),
        };

        Assert.True(RefuseToMake(WithSymmetric(Ek(kind), definition)) == AttestationFailure.KeyAlgorithm, symmetric);
    }

    [Theory]
    [MemberData(nameof(EkKinds))]
    public void An_EK_without_a_name_algorithm_fails_with_KeyAlgorithm(string kind) =>
        Assert.Equal(AttestationFailure.KeyAlgorithm, RefuseToMake(Ek(kind) with { NameAlg = TpmAlgId.Null }));

    [Fact]
    public void An_EK_on_a_curve_the_verifier_does_not_know_fails_with_KeyAlgorithm()
    {
        var area = EkTemplates.EccP256;
        var bnP256 = area with { Parameters = ((TpmsEccParms)area.Parameters) with { Curve = (TpmEccCurve)0x0010 } };

        Assert.Equal(AttestationFailure.KeyAlgorithm, RefuseToMake(bnP256));
    }

    [Theory]
    [MemberData(nameof(TpmPublicKeysTests.BadPoints), MemberType = typeof(TpmPublicKeysTests))]
    public void An_ECC_EK_whose_point_is_refused_by_the_platform_cannot_protect_a_credential(string how)
    {
        var bad = TpmPublicKeysTests.Bad(how);
        var area = EkTemplates.EccP256 with
        {
            Parameters = ((TpmsEccParms)EkTemplates.EccP256.Parameters) with { Curve = ((TpmsEccParms)bad.Parameters).Curve },
            Unique = bad.Unique,
        };

        var e = Assert.Throws<VerificationException>(() => CredentialMaker.Make(area, AkName, RandomNumberGenerator.Create()));

        Assert.Equal(AttestationFailure.KeyAlgorithm, e.Failure);
        Assert.Matches("not on the curve|exceeds|not supported|larger than", e.Message);
    }

    [Fact]
    public void A_keyed_hash_object_cannot_protect_a_credential()
    {
        var hmac = new TpmtPublic(TpmAlgId.Sha256, EkTemplates.LowRangeAttributes, [],
            new TpmsKeyedHashParms(TpmtScheme.Null), new TpmDigestPublicId(new byte[32]));

        Assert.Equal(AttestationFailure.KeyAlgorithm, RefuseToMake(hmac));
    }
}
