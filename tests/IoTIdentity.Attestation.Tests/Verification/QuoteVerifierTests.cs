using System.Security.Cryptography;
using IoTIdentity.Attestation.Verification;
using IoTIdentity.Tpm.Commands;
using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;
using IoTIdentity.TestKit;

namespace IoTIdentity.Attestation.Tests.Verification;

/// <summary>
/// One refusal per QuoteVerifier check, each on a quote built and signed in software so exactly one thing is wrong,
/// and the order the doc comment promises when two things are.
/// </summary>
public sealed class QuoteVerifierTests(SoftwareKeysFixture keys) : IClassFixture<SoftwareKeysFixture>
{
    private static readonly byte[] Nonce = Convert.FromHexString("6E6F6E63652D6F662D746869732D6368616C6C656E67652D2D2D2D2D2D2D2D21");
    private static readonly byte[] OtherNonce = Convert.FromHexString("6F746865722D6368616C6C656E6765732D6E6F6E63652D2D2D2D2D2D2D2D2D21");

    /// <summary>What the verifier asks for: SHA-256 PCRs 0, 1 and 7.</summary>
    private static readonly TpmlPcrSelection Asked = TpmlPcrSelection.Of(TpmAlgId.Sha256, 0, 1, 7);

    private static readonly PcrValue[] Values =
    [
        new(TpmAlgId.Sha256, 0, Refusal.Filled(32, 0xA0)),
        new(TpmAlgId.Sha256, 1, Refusal.Filled(32, 0xA1)),
        new(TpmAlgId.Sha256, 7, Refusal.Filled(32, 0xA7)),
    ];

    public static TheoryData<string> Kinds => new() { "rsa", "ecc" };

    private static VerifiedQuote Verify(SoftwareAttestationKey ak, SignedAttestation quote, IReadOnlyList<PcrValue>? values = null,
        TpmlPcrSelection? asked = null, byte[]? nonce = null) =>
        QuoteVerifier.Verify(ak.PublicArea, quote.Bytes, quote.Signature, nonce ?? Nonce, asked ?? Asked, values ?? Values);

    private static AttestationFailure Refuse(SoftwareAttestationKey ak, SignedAttestation quote, IReadOnlyList<PcrValue>? values = null,
        TpmlPcrSelection? asked = null, byte[]? nonce = null) =>
        Refusal.Of(() => Verify(ak, quote, values, asked, nonce));

    private static AttestationFailure Refuse(SoftwareAttestationKey ak, byte[] bytes, TpmtSignature signature) =>
        Refusal.Of(() => QuoteVerifier.Verify(ak.PublicArea, bytes, signature, Nonce, Asked, Values));

    // ---- positive controls ----

    [Theory]
    [MemberData(nameof(Kinds))]
    public void A_quote_with_a_valid_signature_and_the_asked_selection_verifies(string kind)
    {
        var ak = keys.Ak(kind);
        var quote = ak.Quote(Asked, Values, Nonce);

        var verified = Verify(ak, quote, values: [Values[2], Values[0], Values[1]]);

        Assert.Equal(Values, verified.Pcrs);
        Assert.Equal(quote.Attest.ClockInfo, verified.Clock);
        Assert.Equal(0x0002_0065ul, verified.FirmwareVersion);
    }

    [Fact]
    public void A_quote_over_two_banks_verifies_with_the_digest_taken_in_selection_order()
    {
        var ak = keys.EccAk;
        var asked = new TpmlPcrSelection([TpmsPcrSelection.Of(TpmAlgId.Sha1, [0]), TpmsPcrSelection.Of(TpmAlgId.Sha256, [0, 7])]);
        PcrValue[] values = [new(TpmAlgId.Sha1, 0, Refusal.Filled(20, 0x10)), Values[0], Values[2]];
        var quote = ak.Quote(asked, values, Nonce);

        var verified = Verify(ak, quote, values: [values[2], values[1], values[0]], asked: asked);

        Assert.Equal(values, verified.Pcrs);
    }

    [Fact]
    public void A_quoted_selection_with_a_longer_bitmap_is_the_same_selection()
    {
        var ak = keys.EccAk;
        var quoted = new TpmlPcrSelection([new TpmsPcrSelection(TpmAlgId.Sha256, [0x83, 0x00, 0x00, 0x00])]);
        var quote = ak.Quote(quoted, Values, Nonce);

        Assert.Equal(3, Verify(ak, quote).Pcrs.Count);
    }

    [Fact]
    public void An_ECDSA_signature_whose_r_has_its_leading_zero_stripped_verifies()
    {
        var ak = keys.EccAk;
        var attest = ak.QuoteAttest(Asked, Values, Nonce);
        var bytes = TpmMarshal.ToBytes(attest);
        TpmsSignatureEcc signature;
        do signature = (TpmsSignatureEcc)ak.Sign(bytes);
        while (signature.R[0] != 0);

        var stripped = signature with { R = signature.R[1..] };

        QuoteVerifier.Verify(ak.PublicArea, bytes, stripped, Nonce, Asked, Values);
    }

    // ---- one refusal per check ----

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Quote_fails_with_Nonce_when_extraData_is_another_challenges_nonce(string kind)
    {
        var ak = keys.Ak(kind);
        var quote = ak.Quote(Asked, Values, OtherNonce);

        Assert.Equal(AttestationFailure.Nonce, Refuse(ak, quote));
    }

    [Fact]
    public void Quote_fails_with_Nonce_when_extraData_is_a_prefix_of_the_nonce()
    {
        var ak = keys.EccAk;
        var quote = ak.Quote(Asked, Values, Nonce.AsSpan(0, 16));

        Assert.Equal(AttestationFailure.Nonce, Refuse(ak, quote));
    }

    [Theory]
    [InlineData(0xFF544348u)]
    [InlineData(0x00000000u)]
    [InlineData(0x474354FFu)]
    public void Quote_fails_with_Magic_when_the_magic_is_not_TPM_GENERATED(uint magic)
    {
        var ak = keys.EccAk;
        var quote = ak.Sign(ak.QuoteAttest(Asked, Values, Nonce, magic));

        Assert.Equal(AttestationFailure.Magic, Refuse(ak, quote));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Quote_fails_with_Type_when_a_certify_is_presented_as_a_quote(string kind)
    {
        var ak = keys.Ak(kind);
        var certify = ak.Certify(ak.Name, Nonce);

        Assert.Equal(AttestationFailure.Type, Refuse(ak, certify));
    }

    [Fact]
    public void Quote_fails_with_Type_when_a_time_attestation_is_presented_as_a_quote()
    {
        var ak = keys.EccAk;
        var time = ak.Sign(ak.Attest(new TpmsTimeAttestInfo(42, new TpmsClockInfo(42, 1, 0, true), 0x0002_0065), Nonce));

        Assert.Equal(AttestationFailure.Type, Refuse(ak, time));
    }

    [Fact]
    public void Quote_fails_with_PcrDigest_when_a_supplied_PCR_value_differs()
    {
        var ak = keys.RsaAk;
        var quote = ak.Quote(Asked, Values, Nonce);
        var tampered = Values.ToArray();
        var digest = tampered[1].Digest.ToArray();
        digest[31] ^= 0x01;
        tampered[1] = tampered[1] with { Digest = digest };

        Assert.Equal(AttestationFailure.PcrDigest, Refuse(ak, quote, tampered));
    }

    [Fact]
    public void Quote_fails_with_PcrDigest_when_the_digest_was_taken_with_another_hash_than_the_signatures()
    {
        var ak = keys.EccAk;
        var quote = ak.Sign(ak.QuoteAttest(Asked, Values, Nonce, digestHash: TpmAlgId.Sha384));

        Assert.Equal(AttestationFailure.PcrDigest, Refuse(ak, quote));
    }

    [Fact]
    public void Quote_fails_with_PcrDigest_when_the_values_are_digested_out_of_selection_order()
    {
        var ak = keys.EccAk;
        var quote = ak.Sign(ak.QuoteAttest(Asked, [Values[1], Values[0], Values[2]], Nonce));

        Assert.Equal(AttestationFailure.PcrDigest, Refuse(ak, quote));
    }

    [Fact]
    public void Quote_fails_with_PcrSelection_when_the_quoted_selection_is_narrower_than_asked()
    {
        var ak = keys.RsaAk;
        PcrValue[] values = [Values[0], Values[1]];
        var quote = ak.Quote(TpmlPcrSelection.Of(TpmAlgId.Sha256, 0, 1), values, Nonce);

        Assert.Equal(AttestationFailure.PcrSelection, Refuse(ak, quote, values));
    }

    public static TheoryData<string, int[]> OtherSelections => new()
    {
        { "one PCR swapped for another", [0, 1, 6] },
        { "nothing", [] },
    };

    [Theory]
    [MemberData(nameof(OtherSelections))]
    public void Quote_fails_with_PcrSelection_when_the_quoted_selection_is_another_than_asked(string how, int[] quotedPcrs)
    {
        var ak = keys.EccAk;
        var values = quotedPcrs.Select(i => new PcrValue(TpmAlgId.Sha256, i, Refusal.Filled(32, (byte)i))).ToArray();
        var quote = ak.Quote(TpmlPcrSelection.Of(TpmAlgId.Sha256, quotedPcrs), values, Nonce);

        Assert.True(Refuse(ak, quote, values) == AttestationFailure.PcrSelection, how);
    }

    [Fact]
    public void Quote_fails_with_PcrSelection_when_the_quoted_selection_is_wider_than_asked()
    {
        var ak = keys.RsaAk;
        PcrValue[] values = [.. Values, new(TpmAlgId.Sha256, 8, Refusal.Filled(32, 0xA8))];
        var quote = ak.Quote(TpmlPcrSelection.Of(TpmAlgId.Sha256, 0, 1, 7, 8), values, Nonce);

        Assert.Equal(AttestationFailure.PcrSelection, Refuse(ak, quote, values));
    }

    [Fact]
    public void Quote_fails_with_PcrSelection_when_the_same_PCRs_are_quoted_from_another_bank()
    {
        var ak = keys.EccAk;
        PcrValue[] sha1 = [.. Values.Select(v => new PcrValue(TpmAlgId.Sha1, v.Index, Refusal.Filled(20, (byte)v.Index)))];
        var quote = ak.Quote(TpmlPcrSelection.Of(TpmAlgId.Sha1, 0, 1, 7), sha1, Nonce);

        Assert.Equal(AttestationFailure.PcrSelection, Refuse(ak, quote, sha1));
    }

    public static TheoryData<string> BadValueSets => new() { "missing", "wrong size", "extra", "duplicate", "wrong bank", "not a hash" };

    [Theory]
    [MemberData(nameof(BadValueSets))]
    public void Quote_fails_with_PcrValues_when_a_value_is_missing_or_has_the_wrong_size_or_extra(string how)
    {
        var ak = keys.EccAk;
        var quote = ak.Quote(Asked, Values, Nonce);
        PcrValue[] values = how switch
        {
            "missing" => [Values[0], Values[2]],
            "wrong size" => [Values[0], Values[1] with { Digest = Refusal.Filled(20, 0xA1) }, Values[2]],
            "extra" => [.. Values, new(TpmAlgId.Sha256, 8, Refusal.Filled(32, 0xA8))],
            "duplicate" => [.. Values, Values[1]],
            "wrong bank" => [Values[0], Values[1] with { Hash = TpmAlgId.Sha1, Digest = Refusal.Filled(20, 0xA1) }, Values[2]],
            "not a hash" => [Values[0], Values[1] with { Hash = TpmAlgId.Aes }, Values[2]],
            _ => throw new ArgumentOutOfRangeException(nameof(how)),
        };

        Assert.Equal(AttestationFailure.PcrValues, Refuse(ak, quote, values));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Quote_fails_with_Signature_when_signed_by_another_key(string kind)
    {
        var ak = keys.Ak(kind);
        var quote = keys.OtherAk(kind).Quote(Asked, Values, Nonce);

        Assert.Equal(AttestationFailure.Signature, Refuse(ak, quote));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Quote_fails_with_Signature_when_one_byte_of_the_signed_bytes_changes(string kind)
    {
        var ak = keys.Ak(kind);
        var quote = ak.Quote(Asked, Values, Nonce);

        // the last byte belongs to pcrDigest: the structure still parses, with a digest the signature does not cover
        var received = quote.Bytes.ToArray();
        received[^1] ^= 0x01;
        Assert.Equal(AttestationFailure.Signature, Refuse(ak, received, quote.Signature));

        // and any single changed byte anywhere is refused, as unparseable or unsigned, never accepted
        for (var i = 0; i < quote.Bytes.Length; i++)
        {
            var mutated = quote.Bytes.ToArray();
            mutated[i] ^= 0x40;
            var failure = Refuse(ak, mutated, quote.Signature);
            Assert.True(failure is AttestationFailure.Signature or AttestationFailure.Malformed, $"byte {i}: {failure}");
        }
    }

    [Fact]
    public void Quote_fails_with_Signature_when_it_is_verified_over_a_remarshalling_rather_than_the_bytes_received()
    {
        // the AK signed bytes whose selection bitmap has a trailing zero octet; the parsed view is the same selection,
        // but only the bytes as received carry the signature — a verifier that re-marshals a canonical form would differ
        var ak = keys.EccAk;
        var quoted = new TpmlPcrSelection([new TpmsPcrSelection(TpmAlgId.Sha256, [0x83, 0x00, 0x00, 0x00])]);
        var quote = ak.Quote(quoted, Values, Nonce);
        var canonical = TpmMarshal.ToBytes(ak.QuoteAttest(Asked, Values, Nonce));

        Verify(ak, quote);
        Assert.Equal(AttestationFailure.Signature, Refuse(ak, canonical, quote.Signature));
    }

    [Fact]
    public void Quote_fails_with_Signature_when_the_RSA_signature_has_the_wrong_length()
    {
        var ak = keys.RsaAk;
        var quote = ak.Quote(Asked, Values, Nonce);
        var signature = (TpmsSignatureRsa)quote.Signature;

        Assert.Equal(AttestationFailure.Signature, Refuse(ak, quote.Bytes, signature with { Signature = [0, .. signature.Signature] }));
        Assert.Equal(AttestationFailure.Signature, Refuse(ak, quote.Bytes, signature with { Signature = signature.Signature[1..] }));
    }

    [Fact]
    public void Quote_fails_with_Signature_when_an_ECDSA_half_is_longer_than_the_curve()
    {
        var ak = keys.EccAk;
        var quote = ak.Quote(Asked, Values, Nonce);
        var signature = (TpmsSignatureEcc)quote.Signature;

        Assert.Equal(AttestationFailure.Signature, Refuse(ak, quote.Bytes, signature with { R = [1, .. signature.R] }));
        Assert.Equal(AttestationFailure.Signature, Refuse(ak, quote.Bytes, signature with { S = [1, .. signature.S] }));
        Assert.Equal(AttestationFailure.Signature, Refuse(ak, quote.Bytes, signature with { R = signature.S, S = signature.R }));
    }

    public static TheoryData<string> SchemeMismatches => new()
    {
        "ECDSA signature for an RSA AK",
        "RSAPSS signature for an RSASSA-fixed AK",
        "RSASSA-SHA384 signature for an RSASSA-SHA256 AK",
        "RSASSA signature for an ECC AK",
        "ECDSA-SHA384 signature for an ECDSA-SHA256 AK",
        "ECDAA signature for an ECC AK with no fixed scheme",
        "ECSCHNORR signature for an ECDSA AK",
        "HMAC signature",
        "NULL signature",
    };

    [Theory]
    [MemberData(nameof(SchemeMismatches))]
    public void Quote_fails_with_SignatureScheme_when_the_scheme_does_not_fit_the_key(string mismatch)
    {
        using var nullSchemeEcc = SoftwareAttestationKey.CreateEcc(scheme: TpmtScheme.Null);
        var (ak, signer, scheme, hash) = mismatch switch
        {
            "ECDSA signature for an RSA AK" => (keys.RsaAk, keys.EccAk, TpmAlgId.EcDsa, TpmAlgId.Sha256),
            "RSAPSS signature for an RSASSA-fixed AK" => (keys.RsaAk, keys.RsaAk, TpmAlgId.RsaPss, TpmAlgId.Sha256),
            "RSASSA-SHA384 signature for an RSASSA-SHA256 AK" => (keys.RsaAk, keys.RsaAk, TpmAlgId.RsaSsa, TpmAlgId.Sha384),
            "RSASSA signature for an ECC AK" => (keys.EccAk, keys.RsaAk, TpmAlgId.RsaSsa, TpmAlgId.Sha256),
            "ECDSA-SHA384 signature for an ECDSA-SHA256 AK" => (keys.EccAk, keys.EccAk, TpmAlgId.EcDsa, TpmAlgId.Sha384),
            _ => (keys.EccAk, keys.EccAk, TpmAlgId.EcDsa, TpmAlgId.Sha256),
        };
        var quote = signer.Sign(ak.QuoteAttest(Asked, Values, Nonce), scheme, hash);
        var signature = mismatch switch
        {
            "ECDAA signature for an ECC AK with no fixed scheme" => (TpmtSignature)((TpmsSignatureEcc)quote.Signature with { Scheme = TpmAlgId.EcDaa }),
            "ECSCHNORR signature for an ECDSA AK" => (TpmsSignatureEcc)quote.Signature with { Scheme = TpmAlgId.EcSchnorr },
            "HMAC signature" => new TpmsSignatureHmac(TpmAlgId.Sha256, SHA256.HashData(quote.Bytes)),
            "NULL signature" => TpmsSignatureNull.Instance,
            _ => quote.Signature,
        };
        if (mismatch.Contains("no fixed scheme")) ak = nullSchemeEcc;

        Assert.Equal(AttestationFailure.SignatureScheme, Refuse(ak, quote.Bytes, signature));
    }

    [Fact]
    public void A_key_that_fixes_no_scheme_accepts_RSAPSS_and_RSASSA_signatures()
    {
        using var ak = SoftwareAttestationKey.CreateRsa(scheme: TpmtScheme.Null);
        var attest = ak.QuoteAttest(Asked, Values, Nonce);

        Verify(ak, ak.Sign(attest, TpmAlgId.RsaPss));
        Verify(ak, ak.Sign(attest, TpmAlgId.RsaSsa));
    }

    public static TheoryData<string, byte[]> Garbage => new()
    {
        { "empty", [] },
        { "ASCII", "this is not a TPMS_ATTEST"u8.ToArray() },
        { "magic only", [0xFF, 0x54, 0x43, 0x47] },
        { "unknown attestation type", [0xFF, 0x54, 0x43, 0x47, 0x80, 0x99, 0, 0, 0, 0] },
        { "oversized qualifiedSigner", [0xFF, 0x54, 0x43, 0x47, 0x80, 0x18, 0xFF, 0xFF] },
    };

    [Theory]
    [MemberData(nameof(Garbage))]
    public void Quote_fails_with_Malformed_for_garbage_bytes(string what, byte[] bytes)
    {
        var ak = keys.RsaAk;
        var signature = ak.Sign(bytes);

        Assert.True(Refuse(ak, bytes, signature) == AttestationFailure.Malformed, what);
    }

    [Fact]
    public void Quote_fails_with_Malformed_when_a_signed_quote_is_truncated_or_has_trailing_bytes()
    {
        var ak = keys.EccAk;
        var bytes = TpmMarshal.ToBytes(ak.QuoteAttest(Asked, Values, Nonce));
        byte[] truncated = bytes[..^1], trailing = [.. bytes, 0];

        Assert.Equal(AttestationFailure.Malformed, Refuse(ak, truncated, ak.Sign(truncated)));
        Assert.Equal(AttestationFailure.Malformed, Refuse(ak, trailing, ak.Sign(trailing)));
    }

    // ---- the documented order: the first check that fails is the reason ----

    [Fact]
    public void A_quote_with_both_a_wrong_nonce_and_a_wrong_signature_reports_Signature_first()
    {
        var ak = keys.RsaAk;
        var quote = keys.OtherRsaAk.Quote(Asked, Values, OtherNonce);

        Assert.Equal(AttestationFailure.Signature, Refuse(ak, quote));
    }

    public static TheoryData<string, AttestationFailure> TwoFaults => new()
    {
        { "garbage bytes and a wrong scheme", AttestationFailure.Malformed },
        { "wrong scheme and wrong magic", AttestationFailure.SignatureScheme },
        { "wrong signer and wrong magic", AttestationFailure.Signature },
        { "wrong magic and wrong type", AttestationFailure.Magic },
        { "wrong type and wrong nonce", AttestationFailure.Type },
        { "wrong nonce and wrong selection", AttestationFailure.Nonce },
        { "wrong selection and missing values", AttestationFailure.PcrSelection },
        { "missing values and wrong digest", AttestationFailure.PcrValues },
    };

    [Theory]
    [MemberData(nameof(TwoFaults))]
    public void Quote_checks_run_in_the_documented_order(string faults, AttestationFailure first)
    {
        var ak = keys.RsaAk;
        var narrower = TpmlPcrSelection.Of(TpmAlgId.Sha256, 0, 1);
        PcrValue[] twoValues = [Values[0], Values[1]];
        var wrongValue = Values[2] with { Digest = Refusal.Filled(32, 0xEE) };
        var (bytes, signature, values) = faults switch
        {
            "garbage bytes and a wrong scheme" => Presented(keys.RsaAk.Sign("garbage"u8.ToArray(), TpmAlgId.RsaPss)),
            "wrong scheme and wrong magic" => Presented(ak.Sign(ak.QuoteAttest(Asked, Values, Nonce, magic: 0), TpmAlgId.RsaPss)),
            "wrong signer and wrong magic" => Presented(keys.OtherRsaAk.Sign(ak.QuoteAttest(Asked, Values, Nonce, magic: 0))),
            "wrong magic and wrong type" => Presented(ak.Sign(ak.CertifyAttest(ak.Name, Nonce, magic: 0))),
            "wrong type and wrong nonce" => Presented(ak.Certify(ak.Name, OtherNonce)),
            "wrong nonce and wrong selection" => Presented(ak.Quote(narrower, twoValues, OtherNonce)),
            "wrong selection and missing values" => Presented(ak.Quote(narrower, twoValues, Nonce), twoValues),
            "missing values and wrong digest" => Presented(ak.Sign(ak.QuoteAttest(Asked, [Values[0], Values[1], wrongValue], Nonce)), twoValues),
            _ => throw new ArgumentOutOfRangeException(nameof(faults)),
        };

        var failure = Refusal.Of(() => QuoteVerifier.Verify(ak.PublicArea, bytes, signature, Nonce, Asked, values));

        Assert.Equal(first, failure);

        (byte[], TpmtSignature, IReadOnlyList<PcrValue>) Presented(object signed, IReadOnlyList<PcrValue>? with = null) => signed switch
        {
            SignedAttestation s => (s.Bytes, s.Signature, with ?? Values),
            TpmtSignature garbageSignature => ("garbage"u8.ToArray(), garbageSignature, Values),
            _ => throw new ArgumentOutOfRangeException(nameof(signed)),
        };
    }
}
