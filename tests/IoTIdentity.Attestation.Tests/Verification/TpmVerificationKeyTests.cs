using IoTIdentity.Attestation.Keys;
using IoTIdentity.Attestation.Tests.Keys;
using IoTIdentity.Attestation.Verification;
using IoTIdentity.Tpm.Commands;
using IoTIdentity.Tpm.Keys;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;
using IoTIdentity.TestKit;

namespace IoTIdentity.Attestation.Tests.Verification;

/// <summary>
/// One AK imported once for the quote and the certify of an attest (<see cref="TpmVerificationKey"/>), refusing what
/// the key-per-call path refuses, and the point checks of <see cref="KeyRequirements"/> that no longer import a key.
/// </summary>
public sealed class TpmVerificationKeyTests(SoftwareKeysFixture keys) : IClassFixture<SoftwareKeysFixture>
{
    private static readonly byte[] Nonce = Refusal.Filled(32, 0x4E);
    private static readonly TpmlPcrSelection Asked = TpmlPcrSelection.Of(TpmAlgId.Sha256, 0, 7);
    private static readonly PcrValue[] Values = [new(TpmAlgId.Sha256, 0, Refusal.Filled(32, 0xA0)), new(TpmAlgId.Sha256, 7, Refusal.Filled(32, 0xA7))];

    public static TheoryData<string> Kinds => new() { "rsa", "ecc" };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void One_imported_AK_verifies_the_quote_and_the_certify_of_an_attest(string kind)
    {
        var ak = keys.Ak(kind);
        var deviceKey = SoftwareAttestationKey.DeviceKeyPublic();
        var quote = ak.Quote(Asked, Values, Nonce);
        var certify = ak.Certify(TpmNames.Of(deviceKey), Nonce);
        using var verifier = new TpmVerificationKey(ak.PublicArea);

        QuoteVerifier.Verify(verifier, quote.Bytes, quote.Signature, Nonce, Asked, Values);
        var certified = CertifyVerifier.Verify(verifier, certify.Bytes, certify.Signature, Nonce, deviceKey);

        Assert.Same(ak.PublicArea, verifier.Public);
        Assert.Equal(TpmNames.Of(deviceKey), certified.Name);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void An_imported_AK_still_refuses_a_certify_signed_by_another_key(string kind)
    {
        var ak = keys.Ak(kind);
        var deviceKey = SoftwareAttestationKey.DeviceKeyPublic();
        var quote = ak.Quote(Asked, Values, Nonce);
        var forged = keys.OtherAk(kind).Certify(TpmNames.Of(deviceKey), Nonce);
        using var verifier = new TpmVerificationKey(ak.PublicArea);

        QuoteVerifier.Verify(verifier, quote.Bytes, quote.Signature, Nonce, Asked, Values);
        Assert.Equal(AttestationFailure.Signature,
            Refusal.Of(() => CertifyVerifier.Verify(verifier, forged.Bytes, forged.Signature, Nonce, deviceKey)));
    }

    [Fact]
    public void An_AK_whose_point_is_off_its_curve_fails_with_Signature_in_the_quote_and_again_in_the_certify()
    {
        var ak = keys.EccAk;
        var point = ((TpmEccPublicId)ak.PublicArea.Unique).Point;
        var offCurve = ak.PublicArea with { Unique = new TpmEccPublicId(new TpmsEccPoint(point.X, [.. point.Y[..^1], (byte)(point.Y[^1] ^ 1)])) };
        var deviceKey = SoftwareAttestationKey.DeviceKeyPublic();
        var quote = ak.Quote(Asked, Values, Nonce);
        var certify = ak.Certify(TpmNames.Of(deviceKey), Nonce);
        using var verifier = new TpmVerificationKey(offCurve);

        Assert.Equal(AttestationFailure.Signature, Refusal.Of(() => QuoteVerifier.Verify(verifier, quote.Bytes, quote.Signature, Nonce, Asked, Values)));
        Assert.Equal(AttestationFailure.Signature, Refusal.Of(() => CertifyVerifier.Verify(verifier, certify.Bytes, certify.Signature, Nonce, deviceKey)));
    }

    [Theory]
    [MemberData(nameof(TpmPublicKeysTests.BadPoints), MemberType = typeof(TpmPublicKeysTests))]
    public void A_quote_checked_with_an_AK_whose_point_is_refused_fails_with_Signature(string how)
    {
        var ak = keys.EccAk;
        var bad = TpmPublicKeysTests.Bad(how);
        var quote = ak.Quote(Asked, Values, Nonce);
        using var verifier = new TpmVerificationKey(ak.PublicArea with { Parameters = bad.Parameters, Unique = bad.Unique });

        var e = Assert.Throws<VerificationException>(() => QuoteVerifier.Verify(verifier, quote.Bytes, quote.Signature, Nonce, Asked, Values));

        Assert.Equal(AttestationFailure.Signature, e.Failure);
        Assert.Matches("cannot verify: .*(not on|exceeds|unsupported curve|out of the range)", e.Message);
    }

    [Theory]
    [MemberData(nameof(TpmPublicKeysTests.BadPoints), MemberType = typeof(TpmPublicKeysTests))]
    public void An_AK_with_a_bad_point_is_refused_at_registration_with_KeyAlgorithm(string how)
    {
        var ak = TpmPublicKeysTests.Bad(how);

        var e = Assert.Throws<VerificationException>(() => KeyRequirements.Default.CheckAttestationKey(ak));

        Assert.Equal(AttestationFailure.KeyAlgorithm, e.Failure);
        Assert.Matches("not on its curve|not allowed", e.Message);
    }

    [Theory]
    [MemberData(nameof(TpmPublicKeysTests.BadPoints), MemberType = typeof(TpmPublicKeysTests))]
    public void A_certified_device_key_with_a_bad_point_is_refused_with_KeyAlgorithm(string how)
    {
        var ak = keys.EccAk;
        var bad = TpmPublicKeysTests.Bad(how);
        var deviceKey = Tpm2b<TpmtPublic>.From(bad with { Attributes = KeyTemplates.DeviceKeyAttributes, Parameters = ((TpmsEccParms)bad.Parameters) with { Scheme = TpmtScheme.Null } });
        var certify = ak.Certify(TpmNames.Of(deviceKey), Nonce);
        using var verifier = new TpmVerificationKey(ak.PublicArea);

        var e = Assert.Throws<VerificationException>(() => CertifyVerifier.Verify(verifier, certify.Bytes, certify.Signature, Nonce, deviceKey));

        Assert.Equal(AttestationFailure.KeyAlgorithm, e.Failure);
        Assert.Matches("not on its curve|not allowed", e.Message);
    }
}
