using IoTIdentity.Attestation.Verification;
using IoTIdentity.Tpm.Commands;
using IoTIdentity.Tpm.Keys;
using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;
using IoTIdentity.TestKit;

namespace IoTIdentity.Attestation.Tests.Verification;

/// <summary>
/// One refusal per CertifyVerifier check, on certifications built and signed in software: the certify is always
/// genuine for the key named in it, and the one thing wrong is the one the test is about.
/// </summary>
public sealed class CertifyVerifierTests(SoftwareKeysFixture keys) : IClassFixture<SoftwareKeysFixture>
{
    private static readonly byte[] Nonce = Convert.FromHexString("63657274696679206368616C6C656E6765206E6F6E63652121212121212121");
    private static readonly byte[] OtherNonce = Convert.FromHexString("616E6F74686572206368616C6C656E676520206E6F6E636521212121212121");

    public static TheoryData<string, TpmAlgId> AkAndDeviceKinds => new()
    {
        { "rsa", TpmAlgId.Ecc },
        { "rsa", TpmAlgId.Rsa },
        { "ecc", TpmAlgId.Ecc },
        { "ecc", TpmAlgId.Rsa },
    };

    public static TheoryData<string> Kinds => new() { "rsa", "ecc" };

    /// <summary>An AK certifies <paramref name="deviceKey"/> (by its Name) and the verifier is shown that key.</summary>
    private static AttestationFailure Refuse(SoftwareAttestationKey ak, SignedAttestation certify, Tpm2b<TpmtPublic> deviceKey,
        byte[]? nonce = null) =>
        Refusal.Of(() => CertifyVerifier.Verify(ak.PublicArea, certify.Bytes, certify.Signature, nonce ?? Nonce, deviceKey));

    /// <summary>A device key with <paramref name="attributes"/>, certified by <paramref name="ak"/>, presented as certified.</summary>
    private static AttestationFailure RefuseDeviceKey(SoftwareAttestationKey ak, Tpm2b<TpmtPublic> deviceKey) =>
        Refuse(ak, ak.Certify(TpmNames.Of(deviceKey), Nonce), deviceKey);

    private static Tpm2b<TpmtPublic> Reshaped(Tpm2b<TpmtPublic> key, Func<TpmtPublic, TpmtPublic> change) =>
        Tpm2b<TpmtPublic>.From(change(key.Value));

    // ---- positive control ----

    [Theory]
    [MemberData(nameof(AkAndDeviceKinds))]
    public void A_certify_of_a_resident_signing_key_by_the_AK_verifies(string akKind, TpmAlgId deviceType)
    {
        var ak = keys.Ak(akKind);
        var deviceKey = deviceType == TpmAlgId.Rsa ? keys.RsaDeviceKey.Public : SoftwareAttestationKey.DeviceKeyPublic();
        var certify = ak.Certify(TpmNames.Of(deviceKey), Nonce);

        var verified = CertifyVerifier.Verify(ak.PublicArea, certify.Bytes, certify.Signature, Nonce, deviceKey);

        Assert.Equal(TpmNames.Of(deviceKey), verified.Name);
        Assert.Same(deviceKey, verified.Key);
        Assert.Equal(certify.Bytes, TpmMarshal.ToBytes(verified.Attest));
    }

    [Fact]
    public void A_certified_device_key_signature_verifies_with_the_verified_key()
    {
        var ak = keys.EccAk;
        using var device = SoftwareAttestationKey.CreateEcc(KeyTemplates.DeviceKeyAttributes, TpmtScheme.Null);
        var certify = ak.Certify(device.Name, Nonce);
        var verified = CertifyVerifier.Verify(ak.PublicArea, certify.Bytes, certify.Signature, Nonce, device.Public);

        var message = "device says hello"u8.ToArray();
        TpmSignatures.Verify(verified.Key.Value, message, device.Sign(message));
    }

    // ---- one refusal per check ----

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Certify_fails_with_CertifiedName_when_the_presented_key_is_not_the_certified_one(string kind)
    {
        var ak = keys.Ak(kind);
        var certified = SoftwareAttestationKey.DeviceKeyPublic();
        var presented = SoftwareAttestationKey.DeviceKeyPublic();

        Assert.Equal(AttestationFailure.CertifiedName, Refuse(ak, ak.Certify(TpmNames.Of(certified), Nonce), presented));
    }

    [Fact]
    public void Certify_fails_with_CertifiedName_when_the_certified_key_is_presented_with_other_attributes()
    {
        // same public key, but not the public area the TPM certified: its Name differs, whatever the attributes say
        var ak = keys.EccAk;
        var certified = SoftwareAttestationKey.DeviceKeyPublic();
        var presented = Reshaped(certified, k => k with { Attributes = k.Attributes | TpmaObject.StClear });

        Assert.Equal(AttestationFailure.CertifiedName, Refuse(ak, ak.Certify(TpmNames.Of(certified), Nonce), presented));
    }

    [Fact]
    public void Certify_fails_with_CertifiedName_when_the_Name_was_taken_with_another_hash()
    {
        var ak = keys.EccAk;
        var key = SoftwareAttestationKey.DeviceKeyPublic();
        var sha384Name = TpmNames.Compute(TpmAlgId.Sha384, key.Raw);

        Assert.Equal(AttestationFailure.CertifiedName, Refuse(ak, ak.Certify(sha384Name, Nonce), key));
    }

    [Fact]
    public void Certify_fails_with_CertifiedName_before_KeyAttributes_when_both_are_wrong()
    {
        var ak = keys.EccAk;
        var certified = SoftwareAttestationKey.DeviceKeyPublic();
        var exportable = SoftwareAttestationKey.DeviceKeyPublic(attributes: KeyTemplates.DeviceKeyAttributes & ~TpmaObject.FixedTpm);

        Assert.Equal(AttestationFailure.CertifiedName, Refuse(ak, ak.Certify(TpmNames.Of(certified), Nonce), exportable));
    }

    public static TheoryData<string, TpmaObject> MissingResidency => new()
    {
        { "no fixedTPM", TpmaObject.FixedTpm },
        { "no fixedParent", TpmaObject.FixedParent },
        { "no sensitiveDataOrigin", TpmaObject.SensitiveDataOrigin },
    };

    [Theory]
    [MemberData(nameof(MissingResidency))]
    public void Certify_fails_with_KeyAttributes_when_the_certified_key_is_exportable(string what, TpmaObject missing)
    {
        var ak = keys.EccAk;
        var deviceKey = SoftwareAttestationKey.DeviceKeyPublic(attributes: KeyTemplates.DeviceKeyAttributes & ~missing);

        Assert.True(RefuseDeviceKey(ak, deviceKey) == AttestationFailure.KeyAttributes, what);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Certify_fails_with_KeyAttributes_when_the_certified_key_is_restricted(string kind)
    {
        // the AK certifying itself, or a second AK: a restricted key cannot be a device identity key
        var ak = keys.Ak(kind);

        Assert.Equal(AttestationFailure.KeyAttributes, RefuseDeviceKey(ak, ak.Public));
        Assert.Equal(AttestationFailure.KeyAttributes, RefuseDeviceKey(ak, keys.OtherAk(kind).Public));
    }

    [Fact]
    public void Certify_fails_with_KeyAttributes_when_it_is_a_decryption_key()
    {
        var ak = keys.RsaAk;
        var signAndDecrypt = SoftwareAttestationKey.DeviceKeyPublic(attributes: KeyTemplates.DeviceKeyAttributes | TpmaObject.Decrypt);

        Assert.Equal(AttestationFailure.KeyAttributes, RefuseDeviceKey(ak, signAndDecrypt));
    }

    [Fact]
    public void Certify_fails_with_KeyAttributes_when_it_is_not_a_signing_key()
    {
        var ak = keys.RsaAk;
        var decryptOnly = SoftwareAttestationKey.DeviceKeyPublic(
            attributes: (KeyTemplates.DeviceKeyAttributes & ~TpmaObject.SignEncrypt) | TpmaObject.Decrypt);
        var neither = SoftwareAttestationKey.DeviceKeyPublic(attributes: KeyTemplates.DeviceKeyAttributes & ~TpmaObject.SignEncrypt);

        Assert.Equal(AttestationFailure.KeyAttributes, RefuseDeviceKey(ak, decryptOnly));
        Assert.Equal(AttestationFailure.KeyAttributes, RefuseDeviceKey(ak, neither));
    }

    [Fact]
    public void Certify_fails_with_KeyAlgorithm_when_the_certified_key_has_a_SHA1_name()
    {
        var ak = keys.EccAk;
        var sha1 = Reshaped(SoftwareAttestationKey.DeviceKeyPublic(), k => k with { NameAlg = TpmAlgId.Sha1 });

        Assert.Equal(AttestationFailure.KeyAlgorithm, RefuseDeviceKey(ak, sha1));
    }

    [Fact]
    public void Certify_fails_with_KeyAlgorithm_when_the_certified_key_has_no_name_algorithm()
    {
        var ak = keys.EccAk;
        var key = SoftwareAttestationKey.DeviceKeyPublic();
        var noName = Reshaped(key, k => k with { NameAlg = TpmAlgId.Null });

        Assert.Equal(AttestationFailure.KeyAlgorithm, Refuse(ak, ak.Certify(TpmNames.Of(key), Nonce), noName));
    }

    [Fact]
    public void Certify_fails_with_KeyAlgorithm_when_the_certified_key_is_too_small_or_on_a_curve_not_allowed()
    {
        var ak = keys.EccAk;
        using var rsa1024 = SoftwareAttestationKey.CreateRsa(KeyTemplates.DeviceKeyAttributes, TpmtScheme.Null, keyBits: 1024);
        using var p521 = SoftwareAttestationKey.CreateEcc(KeyTemplates.DeviceKeyAttributes, TpmtScheme.Null, TpmEccCurve.NistP521);

        Assert.Equal(AttestationFailure.KeyAlgorithm, RefuseDeviceKey(ak, rsa1024.Public));
        Assert.Equal(AttestationFailure.KeyAlgorithm, RefuseDeviceKey(ak, p521.Public));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Certify_fails_with_Type_when_a_quote_is_presented_as_a_certify(string kind)
    {
        var ak = keys.Ak(kind);
        var deviceKey = SoftwareAttestationKey.DeviceKeyPublic();
        var quote = ak.Quote(TpmlPcrSelection.Of(TpmAlgId.Sha256, 0), [new PcrValue(TpmAlgId.Sha256, 0, new byte[32])], Nonce);

        Assert.Equal(AttestationFailure.Type, Refuse(ak, quote, deviceKey));
    }

    [Fact]
    public void Certify_fails_with_Type_when_a_creation_attestation_names_the_key()
    {
        var ak = keys.EccAk;
        var deviceKey = SoftwareAttestationKey.DeviceKeyPublic();
        var creation = ak.Sign(ak.Attest(new TpmsCreationInfo(TpmNames.Of(deviceKey), new byte[32]), Nonce));

        Assert.Equal(AttestationFailure.Type, Refuse(ak, creation, deviceKey));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Certify_fails_with_Nonce_when_extraData_is_another_challenges_nonce(string kind)
    {
        var ak = keys.Ak(kind);
        var deviceKey = SoftwareAttestationKey.DeviceKeyPublic();

        Assert.Equal(AttestationFailure.Nonce, Refuse(ak, ak.Certify(TpmNames.Of(deviceKey), OtherNonce), deviceKey));
        Assert.Equal(AttestationFailure.Nonce, Refuse(ak, ak.Certify(TpmNames.Of(deviceKey), []), deviceKey));
    }

    [Fact]
    public void Certify_fails_with_Magic_when_the_magic_is_not_TPM_GENERATED()
    {
        var ak = keys.RsaAk;
        var deviceKey = SoftwareAttestationKey.DeviceKeyPublic();
        var certify = ak.Sign(ak.CertifyAttest(TpmNames.Of(deviceKey), Nonce, magic: 0x47435446));

        Assert.Equal(AttestationFailure.Magic, Refuse(ak, certify, deviceKey));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Certify_fails_with_Signature_when_signed_by_another_key(string kind)
    {
        var ak = keys.Ak(kind);
        var deviceKey = SoftwareAttestationKey.DeviceKeyPublic();
        var certify = keys.OtherAk(kind).Certify(TpmNames.Of(deviceKey), Nonce);

        Assert.Equal(AttestationFailure.Signature, Refuse(ak, certify, deviceKey));
    }

    [Fact]
    public void Certify_fails_with_Signature_when_the_certified_Name_is_swapped_after_signing()
    {
        // the attacker's own key substituted into a genuine certify: the bytes no longer carry the signature
        var ak = keys.EccAk;
        var genuine = SoftwareAttestationKey.DeviceKeyPublic();
        var attackers = SoftwareAttestationKey.DeviceKeyPublic();
        var certify = ak.Certify(TpmNames.Of(genuine), Nonce);
        var swapped = TpmMarshal.ToBytes(ak.CertifyAttest(TpmNames.Of(attackers), Nonce));

        var failure = Refusal.Of(() => CertifyVerifier.Verify(ak.PublicArea, swapped, certify.Signature, Nonce, attackers));

        Assert.Equal(AttestationFailure.Signature, failure);
    }

    [Fact]
    public void Certify_fails_with_SignatureScheme_when_the_scheme_does_not_fit_the_AK()
    {
        var ak = keys.RsaAk;
        var deviceKey = SoftwareAttestationKey.DeviceKeyPublic();
        var byEcc = keys.EccAk.Sign(ak.CertifyAttest(TpmNames.Of(deviceKey), Nonce));
        var pss = ak.Sign(ak.CertifyAttest(TpmNames.Of(deviceKey), Nonce), TpmAlgId.RsaPss);

        Assert.Equal(AttestationFailure.SignatureScheme, Refuse(ak, byEcc, deviceKey));
        Assert.Equal(AttestationFailure.SignatureScheme, Refuse(ak, pss, deviceKey));
    }

    [Fact]
    public void Certify_fails_with_Malformed_for_garbage_bytes()
    {
        var ak = keys.EccAk;
        var deviceKey = SoftwareAttestationKey.DeviceKeyPublic();
        var garbage = "not a TPMS_ATTEST at all"u8.ToArray();

        var failure = Refusal.Of(() => CertifyVerifier.Verify(ak.PublicArea, garbage, ak.Sign(garbage), Nonce, deviceKey));

        Assert.Equal(AttestationFailure.Malformed, failure);
    }

    public static TheoryData<string, AttestationFailure> TwoFaults => new()
    {
        { "wrong signer and wrong nonce", AttestationFailure.Signature },
        { "wrong magic and wrong type", AttestationFailure.Magic },
        { "wrong type and wrong nonce", AttestationFailure.Type },
        { "wrong nonce and wrong key", AttestationFailure.Nonce },
        { "wrong key and exportable key", AttestationFailure.CertifiedName },
    };

    [Theory]
    [MemberData(nameof(TwoFaults))]
    public void Certify_checks_run_in_the_documented_order(string faults, AttestationFailure first)
    {
        var ak = keys.RsaAk;
        var deviceKey = SoftwareAttestationKey.DeviceKeyPublic();
        var name = TpmNames.Of(deviceKey);
        var quote = new TpmsQuoteInfo(TpmlPcrSelection.Of(TpmAlgId.Sha256, 0), new byte[32]);
        var (certify, presented) = faults switch
        {
            "wrong signer and wrong nonce" => (keys.OtherRsaAk.Certify(name, OtherNonce), deviceKey),
            "wrong magic and wrong type" => (ak.Sign(ak.Attest(quote, Nonce, magic: 0)), deviceKey),
            "wrong type and wrong nonce" => (ak.Sign(ak.Attest(quote, OtherNonce)), deviceKey),
            "wrong nonce and wrong key" => (ak.Certify(name, OtherNonce), SoftwareAttestationKey.DeviceKeyPublic()),
            "wrong key and exportable key" => (ak.Certify(name, Nonce),
                SoftwareAttestationKey.DeviceKeyPublic(attributes: KeyTemplates.DeviceKeyAttributes & ~TpmaObject.FixedTpm)),
            _ => throw new ArgumentOutOfRangeException(nameof(faults)),
        };

        Assert.Equal(first, Refuse(ak, certify, presented));
    }
}
