using IoTIdentity.Attestation.Verification;
using IoTIdentity.Tpm.Keys;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;
using IoTIdentity.TestKit;

namespace IoTIdentity.Attestation.Tests.Verification;

/// <summary>
/// KeyRequirements.CheckAttestationKey, one refusal per requirement, on AK public areas shaped like
/// KeyTemplates.AkRsa2048 / AkEccP256 (with a real software public key) and then broken in exactly one way.
/// </summary>
public sealed class KeyRequirementsTests(SoftwareKeysFixture keys) : IClassFixture<SoftwareKeysFixture>
{
    private TpmtPublic RsaAk => keys.RsaAk.PublicArea;
    private TpmtPublic EccAk => keys.EccAk.PublicArea;

    public static TheoryData<string> Kinds => new() { "rsa", "ecc" };

    private TpmtPublic Ak(string kind) => keys.Ak(kind).PublicArea;

    private static AttestationFailure Refuse(TpmtPublic ak, KeyRequirements? requirements = null) =>
        Refusal.Of(() => (requirements ?? KeyRequirements.Default).CheckAttestationKey(ak));

    private static TpmtPublic WithRsa(TpmtPublic ak, Func<TpmsRsaParms, TpmsRsaParms> change) =>
        ak with { Parameters = change((TpmsRsaParms)ak.Parameters) };

    private static TpmtPublic WithEcc(TpmtPublic ak, Func<TpmsEccParms, TpmsEccParms> change) =>
        ak with { Parameters = change((TpmsEccParms)ak.Parameters) };

    private static byte[] OddModulus(int bytes)
    {
        var modulus = new byte[bytes];
        modulus[0] = 0xC0;
        modulus[^1] = 0x01;
        return modulus;
    }

    // ---- positive controls ----

    [Fact]
    public void An_AK_shaped_like_KeyTemplates_AkRsa2048_is_accepted()
    {
        var ak = KeyTemplates.AkRsa2048 with { Unique = RsaAk.Unique };

        KeyRequirements.Default.CheckAttestationKey(ak);
    }

    [Fact]
    public void An_AK_shaped_like_KeyTemplates_AkEccP256_is_accepted()
    {
        var ak = KeyTemplates.AkEccP256 with { Unique = EccAk.Unique };

        KeyRequirements.Default.CheckAttestationKey(ak);
    }

    [Fact]
    public void AKs_with_RSAPSS_SHA384_on_P384_or_RSA3072_are_accepted()
    {
        using var p384 = SoftwareAttestationKey.CreateEcc(curve: TpmEccCurve.NistP384, scheme: new TpmtScheme(TpmAlgId.EcDsa, TpmAlgId.Sha384));
        var pss = WithRsa(RsaAk, p => p with { Scheme = new TpmtScheme(TpmAlgId.RsaPss, TpmAlgId.Sha512) });
        var rsa3072 = WithRsa(RsaAk, p => p with { KeyBits = 3072 }) with { Unique = new TpmRsaPublicId(OddModulus(384)) };

        KeyRequirements.Default.CheckAttestationKey(p384.PublicArea);
        KeyRequirements.Default.CheckAttestationKey(pss);
        KeyRequirements.Default.CheckAttestationKey(rsa3072);
    }

    [Fact]
    public void The_templates_without_a_public_key_are_refused_as_inconsistent_RSA()
    {
        // the bare template has an empty modulus: keyBits 2048 with 0 bits of modulus
        Assert.Equal(AttestationFailure.KeyAlgorithm, Refuse(KeyTemplates.AkRsa2048));
    }

    // ---- attributes ----

    [Theory]
    [MemberData(nameof(Kinds))]
    public void An_AK_without_fixedTPM_is_refused(string kind) =>
        Assert.Equal(AttestationFailure.KeyAttributes, Refuse(Ak(kind) with { Attributes = KeyTemplates.AkAttributes & ~TpmaObject.FixedTpm }));

    [Theory]
    [MemberData(nameof(Kinds))]
    public void An_AK_that_is_not_restricted_is_refused(string kind) =>
        Assert.Equal(AttestationFailure.KeyAttributes, Refuse(Ak(kind) with { Attributes = KeyTemplates.AkAttributes & ~TpmaObject.Restricted }));

    [Theory]
    [MemberData(nameof(Kinds))]
    public void An_AK_without_sensitiveDataOrigin_is_refused(string kind) =>
        Assert.Equal(AttestationFailure.KeyAttributes, Refuse(Ak(kind) with { Attributes = KeyTemplates.AkAttributes & ~TpmaObject.SensitiveDataOrigin }));

    [Theory]
    [MemberData(nameof(Kinds))]
    public void An_AK_without_fixedParent_is_refused(string kind) =>
        Assert.Equal(AttestationFailure.KeyAttributes, Refuse(Ak(kind) with { Attributes = KeyTemplates.AkAttributes & ~TpmaObject.FixedParent }));

    [Theory]
    [MemberData(nameof(Kinds))]
    public void An_AK_that_is_also_a_decryption_key_is_refused(string kind) =>
        Assert.Equal(AttestationFailure.KeyAttributes, Refuse(Ak(kind) with { Attributes = KeyTemplates.AkAttributes | TpmaObject.Decrypt }));

    [Fact]
    public void A_restricted_decryption_key_a_storage_key_is_refused_as_an_AK()
    {
        var storage = RsaAk with { Attributes = (KeyTemplates.AkAttributes & ~TpmaObject.SignEncrypt) | TpmaObject.Decrypt };

        Assert.Equal(AttestationFailure.KeyAttributes, Refuse(storage));
    }

    // ---- algorithms ----

    [Theory]
    [MemberData(nameof(Kinds))]
    public void An_AK_with_a_SHA1_name_algorithm_is_refused(string kind) =>
        Assert.Equal(AttestationFailure.KeyAlgorithm, Refuse(Ak(kind) with { NameAlg = TpmAlgId.Sha1 }));

    [Fact]
    public void An_AK_with_a_SHA384_name_is_refused_by_default_and_accepted_when_allowed()
    {
        var ak = EccAk with { NameAlg = TpmAlgId.Sha384 };
        var allowing = KeyRequirements.Default with { NameAlgorithms = new HashSet<TpmAlgId> { TpmAlgId.Sha256, TpmAlgId.Sha384 } };

        Assert.Equal(AttestationFailure.KeyAlgorithm, Refuse(ak));
        allowing.CheckAttestationKey(ak);
    }

    [Fact]
    public void An_RSA_1024_AK_is_refused()
    {
        using var rsa1024 = SoftwareAttestationKey.CreateRsa(keyBits: 1024);

        Assert.Equal(AttestationFailure.KeyAlgorithm, Refuse(rsa1024.PublicArea));
    }

    [Fact]
    public void An_RSA_2048_AK_is_refused_when_3072_bits_are_required() =>
        Assert.Equal(AttestationFailure.KeyAlgorithm, Refuse(RsaAk, KeyRequirements.Default with { MinRsaBits = 3072 }));

    public static TheoryData<string, ushort, int> InconsistentModuli => new()
    {
        { "keyBits 2048, modulus 2040 bits", 2048, 255 },
        { "keyBits 2048, modulus 2056 bits", 2048, 257 },
        { "keyBits 3072, modulus 2048 bits", 3072, 256 },
        { "keyBits 2048, empty modulus", 2048, 0 },
    };

    [Theory]
    [MemberData(nameof(InconsistentModuli))]
    public void An_AK_whose_modulus_length_is_inconsistent_with_keyBits_is_refused(string what, ushort keyBits, int modulusBytes)
    {
        var ak = WithRsa(RsaAk, p => p with { KeyBits = keyBits }) with { Unique = new TpmRsaPublicId(Refusal.Filled(modulusBytes, 0xC5)) };

        Assert.True(Refuse(ak) == AttestationFailure.KeyAlgorithm, what);
    }

    [Fact]
    public void A_P521_AK_is_refused()
    {
        using var p521 = SoftwareAttestationKey.CreateEcc(curve: TpmEccCurve.NistP521);

        Assert.Equal(AttestationFailure.KeyAlgorithm, Refuse(p521.PublicArea));
    }

    [Theory]
    [InlineData((ushort)0x0000)] // TPM_ECC_NONE
    [InlineData((ushort)0x0010)] // TPM_ECC_BN_P256
    [InlineData((ushort)0x0020)] // TPM_ECC_SM2_P256
    [InlineData((ushort)0x7777)]
    public void An_AK_on_an_unknown_curve_is_refused(ushort curve) =>
        Assert.Equal(AttestationFailure.KeyAlgorithm, Refuse(WithEcc(EccAk, p => p with { Curve = (TpmEccCurve)curve })));

    [Theory]
    [MemberData(nameof(Kinds))]
    public void An_AK_with_a_NULL_signing_scheme_is_refused(string kind)
    {
        var ak = kind == "rsa"
            ? WithRsa(RsaAk, p => p with { Scheme = TpmtScheme.Null })
            : WithEcc(EccAk, p => p with { Scheme = TpmtScheme.Null });

        Assert.Equal(AttestationFailure.KeyAlgorithm, Refuse(ak));
    }

    public static TheoryData<string> SchemesThatDoNotSign => new() { "RSAES", "OAEP", "ECDAA", "ECSCHNORR", "ECDH" };

    [Theory]
    [MemberData(nameof(SchemesThatDoNotSign))]
    public void An_AK_with_a_scheme_other_than_RSASSA_RSAPSS_or_ECDSA_is_refused(string scheme)
    {
        var ak = scheme switch
        {
            "RSAES" => WithRsa(RsaAk, p => p with { Scheme = new TpmtScheme(TpmAlgId.RsaEs) }),
            "OAEP" => WithRsa(RsaAk, p => p with { Scheme = new TpmtScheme(TpmAlgId.Oaep, TpmAlgId.Sha256) }),
            "ECDAA" => WithEcc(EccAk, p => p with { Scheme = new TpmtScheme(TpmAlgId.EcDaa, TpmAlgId.Sha256, 1) }),
            "ECSCHNORR" => WithEcc(EccAk, p => p with { Scheme = new TpmtScheme(TpmAlgId.EcSchnorr, TpmAlgId.Sha256) }),
            _ => WithEcc(EccAk, p => p with { Scheme = new TpmtScheme(TpmAlgId.EcDh, TpmAlgId.Sha256) }),
        };

        Assert.Equal(AttestationFailure.KeyAlgorithm, Refuse(ak));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void An_AK_whose_scheme_is_for_the_other_key_type_is_refused(string kind)
    {
        // an RSA key "signing with ECDSA" (or an ECC key with RSASSA) can never produce a signature the verifier accepts
        var ak = kind == "rsa"
            ? WithRsa(RsaAk, p => p with { Scheme = new TpmtScheme(TpmAlgId.EcDsa, TpmAlgId.Sha256) })
            : WithEcc(EccAk, p => p with { Scheme = new TpmtScheme(TpmAlgId.RsaSsa, TpmAlgId.Sha256) });

        Assert.Equal(AttestationFailure.KeyAlgorithm, Refuse(ak));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void An_AK_whose_scheme_hash_is_SHA1_is_refused(string kind)
    {
        var ak = kind == "rsa"
            ? WithRsa(RsaAk, p => p with { Scheme = new TpmtScheme(TpmAlgId.RsaSsa, TpmAlgId.Sha1) })
            : WithEcc(EccAk, p => p with { Scheme = new TpmtScheme(TpmAlgId.EcDsa, TpmAlgId.Sha1) });

        Assert.Equal(AttestationFailure.KeyAlgorithm, Refuse(ak));
    }

    [Fact]
    public void A_keyed_hash_object_is_refused_as_an_AK()
    {
        var hmac = new TpmtPublic(TpmAlgId.Sha256, KeyTemplates.AkAttributes, [],
            new TpmsKeyedHashParms(new TpmtScheme(TpmAlgId.Hmac, TpmAlgId.Sha256)), new TpmDigestPublicId(new byte[32]));

        Assert.Equal(AttestationFailure.KeyAlgorithm, Refuse(hmac));
    }

    // ---- order: algorithms before attributes, as documented ----

    [Fact]
    public void An_AK_with_a_SHA1_name_that_is_not_restricted_reports_KeyAlgorithm_first()
    {
        var ak = RsaAk with { NameAlg = TpmAlgId.Sha1, Attributes = KeyTemplates.AkAttributes & ~TpmaObject.Restricted };

        Assert.Equal(AttestationFailure.KeyAlgorithm, Refuse(ak));
    }

    [Fact]
    public void An_unrestricted_AK_with_a_NULL_scheme_reports_KeyAttributes_first()
    {
        var ak = WithRsa(RsaAk, p => p with { Scheme = TpmtScheme.Null }) with { Attributes = KeyTemplates.AkAttributes & ~TpmaObject.Restricted };

        Assert.Equal(AttestationFailure.KeyAttributes, Refuse(ak));
    }

    [Fact]
    public void An_ECC_AK_whose_point_is_not_on_its_curve_is_refused()
    {
        var point = ((TpmEccPublicId)EccAk.Unique).Point;
        var y = point.Y.ToArray();
        y[^1] ^= 1;
        Assert.Equal(AttestationFailure.KeyAlgorithm, Refuse(EccAk with { Unique = new TpmEccPublicId(new TpmsEccPoint(point.X, y)) }));
    }

    [Theory]
    [InlineData(1u)]
    [InlineData(65536u)]
    public void An_RSA_AK_with_an_unusable_exponent_is_refused(uint exponent) =>
        Assert.Equal(AttestationFailure.KeyAlgorithm, Refuse(WithRsa(RsaAk, p => p with { Exponent = exponent })));
}
