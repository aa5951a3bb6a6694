using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;
using IoTIdentity.TestKit;
using static IoTIdentity.Tpm.Tests.Structures.Samples;

namespace IoTIdentity.Tpm.Tests.Structures;

/// <summary>
/// Expected wire bytes written by hand from the Part 2 tables (big-endian, fields in table order), so the catalogue
/// is checked against the spec and not only against itself. Each test also parses the hand-written bytes.
/// </summary>
public class WireFormatTests
{
    private static void AssertWire<T>(T value, string expectedHex) where T : ITpmStructure<T>
    {
        var expected = Hex.Parse(expectedHex);
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(TpmMarshal.ToBytes(value)));
        Assert.Equal(expected, TpmMarshal.ToBytes(TpmMarshal.FromBytes<T>(expected)));
    }

    private static string H(byte[] bytes) => Convert.ToHexString(bytes);

    [Fact]
    public void A_TPMS_PCR_SELECTION_of_sha256_PCRs_0_1_7_is_hash_size_and_bitmap() =>
        AssertWire(TpmsPcrSelection.Of(TpmAlgId.Sha256, [0, 1, 7]), "00 0B 03 83 00 00");

    [Fact]
    public void A_TPMS_PCR_SELECTION_bitmap_puts_PCR_n_in_bit_n_mod_8_of_octet_n_div_8() =>
        AssertWire(TpmsPcrSelection.Of(TpmAlgId.Sha1, [8, 16, 23]), "00 04 03 00 01 81");

    [Fact]
    public void A_TPML_PCR_SELECTION_is_a_UINT32_count_then_the_selections() =>
        AssertWire(new TpmlPcrSelection([TpmsPcrSelection.Of(TpmAlgId.Sha1, [0]), TpmsPcrSelection.Of(TpmAlgId.Sha256, [0, 1, 7])]),
            "00000002  0004 03 01 00 00  000B 03 83 00 00");

    [Fact]
    public void TpmtPublic_for_the_TCG_RSA_EK_template_matches_the_EK_credential_profile_bytes() =>
        AssertWire(EkRsaTemplate,
            "0001 000B 000300B2" +
            "0020 837197674484B3F81A90CC8D46A5D724FD52D76E06520B64F2A1DA1B331469AA" +
            "0006 0080 0043" + // symmetric: AES, 128, CFB
            "0010" +           // scheme: NULL
            "0800 00000000" +  // keyBits 2048, exponent 0 (default)
            "0100" + new string('0', 512));

    [Fact]
    public void TpmtPublic_for_the_TCG_ECC_EK_template_matches_the_EK_credential_profile_bytes() =>
        AssertWire(EkEccTemplate,
            "0023 000B 000300B2" +
            "0020 837197674484B3F81A90CC8D46A5D724FD52D76E06520B64F2A1DA1B331469AA" +
            "0006 0080 0043 0010" + // symmetric AES-128-CFB, scheme NULL
            "0003 0010" +           // curve NIST P-256, kdf NULL
            "0020" + new string('0', 64) + "0020" + new string('0', 64));

    [Fact]
    public void TpmtPublic_for_a_keyedhash_object_writes_its_scheme_and_digest_unique() =>
        AssertWire(XorDerivationParent,
            "0008 000B 00030052 0000" + // keyedhash, SHA-256, fixedTPM|fixedParent|userWithAuth|restricted|decrypt, no policy
            "000A 000B 0022" +          // XOR scheme: SHA-256, KDF1_SP800_108
            "0020" + H(Filler("xor-unique", 32)));

    [Theory]
    [InlineData(TpmAlgId.Null, 0, TpmAlgId.Null, "0010")]
    [InlineData(TpmAlgId.Aes, 256, TpmAlgId.Cfb, "0006 0100 0043")]
    [InlineData(TpmAlgId.Xor, (ushort)TpmAlgId.Sha256, TpmAlgId.Null, "000A 000B")]
    public void TpmtSymDef_writes_only_the_members_its_algorithm_selects(TpmAlgId algorithm, ushort keyBits, TpmAlgId mode, string hex) =>
        AssertWire(new TpmtSymDef(algorithm, keyBits, mode), hex);

    [Theory]
    [InlineData(TpmAlgId.Null, TpmAlgId.Null, 0, TpmAlgId.Null, "0010")]
    [InlineData(TpmAlgId.RsaEs, TpmAlgId.Null, 0, TpmAlgId.Null, "0015")]
    [InlineData(TpmAlgId.RsaSsa, TpmAlgId.Sha256, 0, TpmAlgId.Null, "0014 000B")]
    [InlineData(TpmAlgId.EcDaa, TpmAlgId.Sha256, 7, TpmAlgId.Null, "001A 000B 0007")]
    [InlineData(TpmAlgId.Xor, TpmAlgId.Sha256, 0, TpmAlgId.Kdf1Sp800_108, "000A 000B 0022")]
    public void TpmtScheme_writes_the_details_its_selector_selects(TpmAlgId scheme, TpmAlgId hash, ushort count, TpmAlgId kdf, string hex) =>
        AssertWire(new TpmtScheme(scheme, hash, count, kdf), hex);

    [Fact]
    public void TpmsClockInfo_is_clock_resetCount_restartCount_safe() =>
        AssertWire(Clock, "00000001 2F3A4B5C  00000007  00000002  01");

    [Fact]
    public void TpmsAttest_for_a_quote_is_magic_type_signer_extraData_clock_firmware_then_the_quote_info() =>
        AssertWire(Quote,
            "FF544347 8018" +
            "0022 000B" + H(Filler("ak", 32)) +
            "0020" + H(Filler("nonce", 32)) +
            "000000012F3A4B5C 00000007 00000002 01" +
            "2019102300163636" +
            "00000001 000B 03 FF 00 00" +
            "0020" + H(Filler("pcr-digest", 32)));

    [Fact]
    public void TpmsAttest_for_a_certify_ends_with_the_name_and_qualified_name() =>
        Assert.EndsWith(
            "0022000B" + H(Filler("device-key", 32)) + "0022000B" + H(Filler("device-key-qualified", 32)),
            H(TpmMarshal.ToBytes(Certify)));

    [Fact]
    public void TpmtSignature_for_ECDSA_is_alg_hash_then_sized_r_and_s() =>
        AssertWire(EccSignature, "0018 000B 0020" + H(Filler("ecc-r", 32)) + "0020" + H(Filler("ecc-s", 32)));

    [Fact]
    public void TpmtSignature_for_RSASSA_is_alg_hash_then_the_sized_signature() =>
        AssertWire(RsaSignature, "0014 000B 0100" + H(Filler("rsa-sig", 256)));

    [Fact]
    public void TpmtSignature_for_HMAC_is_a_TPMT_HA_without_a_size() =>
        AssertWire<TpmtSignature>(new TpmsSignatureHmac(TpmAlgId.Sha256, Filler("hmac", 32)), "0005 000B" + H(Filler("hmac", 32)));

    [Fact]
    public void TpmtSignature_NULL_is_its_selector_alone() => AssertWire<TpmtSignature>(TpmsSignatureNull.Instance, "0010");

    [Fact]
    public void TpmtHa_is_the_hash_then_exactly_its_digest() =>
        AssertWire(new TpmtHa(TpmAlgId.Sha1, Filler("ha", 20)), "0004" + H(Filler("ha", 20)));

    [Fact]
    public void TpmlDigest_is_a_UINT32_count_then_TPM2B_digests() =>
        AssertWire(new TpmlDigest([[0xAA, 0xBB], []]), "00000002 0002 AABB 0000");

    [Fact]
    public void TpmsNvPublic_is_index_nameAlg_attributes_policy_and_data_size() =>
        AssertWire(EkCertificateIndex, "01C00002 000B 62072001 0000 0416");

    [Fact]
    public void The_NULL_hash_check_ticket_is_tag_null_hierarchy_and_an_empty_digest() =>
        AssertWire(TpmtTicket.NullHashCheck, "8024 40000007 0000");

    [Fact]
    public void TpmsCreationData_is_selection_digest_locality_parent_names_and_outside_info() =>
        AssertWire(CreationData,
            "00000001 000B 03 FF 00 00" +
            "0020" + H(Filler("creation-pcr-digest", 32)) +
            "01 000B" +
            "0022 000B" + H(Filler("srk", 32)) +
            "0022 000B" + H(Filler("srk-qualified", 32)) +
            "0000");

    [Fact]
    public void Tpm2bIdObject_is_a_size_then_the_sized_HMAC_then_the_unsized_encrypted_identity() =>
        AssertWire(new Tpm2bIdObject(Filler("hmac", 32), Filler("enc", 34)),
            "0044 0020" + H(Filler("hmac", 32)) + H(Filler("enc", 34)));

    [Fact]
    public void Tpm2b_of_an_ECC_point_is_the_size_of_the_marshalled_point_then_the_point() =>
        AssertWire(Tpm2b<TpmsEccPoint>.From(new TpmsEccPoint([1, 2], [3])), "0007 0002 0102 0001 03");

    [Fact]
    public void An_empty_TPMS_SENSITIVE_CREATE_is_two_empty_TPM2Bs() => AssertWire(TpmsSensitiveCreate.Empty, "0000 0000");

    [Theory]
    [InlineData(TpmCap.Algs, new uint[] { 0x0001, 0x00000009 }, "00000000 00000001 0001 00000009")]
    [InlineData(TpmCap.Handles, new uint[] { 0x81000001 }, "00000001 00000001 81000001")]
    [InlineData(TpmCap.TpmProperties, new uint[] { 0x105, 0x49424D00 }, "00000006 00000001 00000105 49424D00")]
    [InlineData(TpmCap.EccCurves, new uint[] { 0x0003, 0x0004 }, "00000008 00000002 0003 0004")]
    public void TpmsCapabilityData_lists_are_a_count_then_entries_of_the_capability_width(TpmCap capability, uint[] values, string hex) =>
        AssertWire(new TpmsCapabilityData(capability, values), hex);

    [Fact]
    public void TpmsCapabilityData_for_PCRs_is_the_capability_then_a_TPML_PCR_SELECTION() =>
        AssertWire(new TpmsCapabilityData(TpmCap.Pcrs, [], TpmlPcrSelection.Of(TpmAlgId.Sha256, Enumerable.Range(0, 24).ToArray())),
            "00000005 00000001 000B 03 FFFFFF");
}
