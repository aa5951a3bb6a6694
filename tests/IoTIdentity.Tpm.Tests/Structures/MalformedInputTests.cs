using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.TestKit;

namespace IoTIdentity.Tpm.Tests.Structures;

/// <summary>
/// Hand-made malformed encodings: lying and oversized TPM2B sizes, unknown union selectors, invalid TPMI values and
/// hostile list counts. Each must be a <see cref="TpmFormatException"/> naming the problem.
/// </summary>
public class MalformedInputTests
{
    private static readonly Dictionary<string, Func<byte[], byte[]>> Parsers = new()
    {
        ["TPM2B_PRIVATE"] = StructureFuzzer.ParseAndRemarshal<Tpm2bPrivate>,
        ["TPM2B_ENCRYPTED_SECRET"] = StructureFuzzer.ParseAndRemarshal<Tpm2bEncryptedSecret>,
        ["TPM2B_ID_OBJECT"] = StructureFuzzer.ParseAndRemarshal<Tpm2bIdObject>,
        ["TPM2B_PUBLIC"] = StructureFuzzer.ParseAndRemarshal<Tpm2b<TpmtPublic>>,
        ["TPM2B_ATTEST"] = StructureFuzzer.ParseAndRemarshal<Tpm2b<TpmsAttest>>,
        ["TPM2B_CREATION_DATA"] = StructureFuzzer.ParseAndRemarshal<Tpm2b<TpmsCreationData>>,
        ["TPM2B_NV_PUBLIC"] = StructureFuzzer.ParseAndRemarshal<Tpm2b<TpmsNvPublic>>,
        ["TPM2B_SENSITIVE_CREATE"] = StructureFuzzer.ParseAndRemarshal<Tpm2b<TpmsSensitiveCreate>>,
        ["TPM2B_ECC_POINT"] = StructureFuzzer.ParseAndRemarshal<Tpm2b<TpmsEccPoint>>,
        ["TPMS_ECC_POINT"] = StructureFuzzer.ParseAndRemarshal<TpmsEccPoint>,
        ["TPMS_SENSITIVE_CREATE"] = StructureFuzzer.ParseAndRemarshal<TpmsSensitiveCreate>,
        ["TPMS_PCR_SELECTION"] = StructureFuzzer.ParseAndRemarshal<TpmsPcrSelection>,
        ["TPML_PCR_SELECTION"] = StructureFuzzer.ParseAndRemarshal<TpmlPcrSelection>,
        ["TPML_DIGEST"] = StructureFuzzer.ParseAndRemarshal<TpmlDigest>,
        ["TPML_DIGEST_VALUES"] = StructureFuzzer.ParseAndRemarshal<TpmlDigestValues>,
        ["TPMT_HA"] = StructureFuzzer.ParseAndRemarshal<TpmtHa>,
        ["TPMT_PUBLIC"] = StructureFuzzer.ParseAndRemarshal<TpmtPublic>,
        ["TPMT_SYM_DEF"] = StructureFuzzer.ParseAndRemarshal<TpmtSymDef>,
        ["TPMT_SCHEME"] = StructureFuzzer.ParseAndRemarshal<TpmtScheme>,
        ["TPMT_SIGNATURE"] = StructureFuzzer.ParseAndRemarshal<TpmtSignature>,
        ["TPMT_TICKET"] = StructureFuzzer.ParseAndRemarshal<TpmtTicket>,
        ["TPMS_ATTEST"] = StructureFuzzer.ParseAndRemarshal<TpmsAttest>,
        ["TPMS_CLOCK_INFO"] = StructureFuzzer.ParseAndRemarshal<TpmsClockInfo>,
        ["TPMS_NV_PUBLIC"] = StructureFuzzer.ParseAndRemarshal<TpmsNvPublic>,
        ["TPMS_CREATION_DATA"] = StructureFuzzer.ParseAndRemarshal<TpmsCreationData>,
        ["TPMS_CAPABILITY_DATA"] = StructureFuzzer.ParseAndRemarshal<TpmsCapabilityData>,
    };

    /// <summary>Hex of <paramref name="count"/> 0xA5 octets.</summary>
    private static string Pad(int count) => string.Concat(Enumerable.Repeat("A5", count));

    /// <summary>A TPMS_ATTEST header up to the attested member: magic, <paramref name="type"/>, empty signer and extra data, clock, firmware.</summary>
    private static string AttestHeader(string type) => "FF544347" + type + "0000 0000" + "0000000000000001 00000001 00000000 01" + "0000000000000000";

    private static string FormatError(string structure, string hex)
    {
        var bytes = Hex.Parse(hex);
        return Assert.Throws<TpmFormatException>(() => Parsers[structure](bytes)).Message;
    }

    [Theory]
    [InlineData("TPM2B_PRIVATE", "0010 AABBCC")]
    [InlineData("TPM2B_ENCRYPTED_SECRET", "0100 00")]
    [InlineData("TPM2B_ID_OBJECT", "0040 0020")]
    [InlineData("TPM2B_PUBLIC", "0100 0001000B")]
    [InlineData("TPMS_ECC_POINT", "0020 AABB")]
    [InlineData("TPMT_PUBLIC", "0001 000B 00000000 0020 00000000")]
    [InlineData("TPML_DIGEST", "00000002 0002 AABB 0020 AA")]
    [InlineData("TPMT_SIGNATURE", "0014 000B 0100 AABBCCDD")]
    public void A_TPM2B_size_larger_than_the_remaining_bytes_is_a_format_error(string structure, string hex) =>
        Assert.Contains("remaining", FormatError(structure, hex));

    [Fact]
    public void An_inner_size_running_past_its_TPM2B_scope_is_a_format_error_even_when_the_outer_buffer_has_the_bytes() =>
        // TPM2B_ID_OBJECT of 4 bytes whose integrityHMAC claims 32: the bytes after the scope must not be read.
        Assert.Contains("remaining", FormatError("TPM2B_ID_OBJECT", "0004 0020 AABB" + Pad(40)));

    [Theory]
    [InlineData("TPML_DIGEST", "00000001 0041", 65)] // TPM2B_DIGEST: sizeof(TPMU_HA) = 64
    [InlineData("TPMS_ATTEST", "FF544347 8018 0043", 67)] // TPM2B_NAME qualifiedSigner: 66
    [InlineData("TPMS_ATTEST", "FF544347 8018 0000 0043", 67)] // TPM2B_DATA extraData: 66
    [InlineData("TPMT_PUBLIC", "0001 000B 00050072 0000 0010 0014 000B 0800 00000000 0201", 513)] // TPM2B_PUBLIC_KEY_RSA: 512
    [InlineData("TPMS_ECC_POINT", "0043", 67)] // TPM2B_ECC_PARAMETER: 66
    [InlineData("TPMS_SENSITIVE_CREATE", "0000 0101", 257)] // TPM2B_SENSITIVE_DATA: 256
    [InlineData("TPM2B_ENCRYPTED_SECRET", "0201", 513)]
    [InlineData("TPM2B_ID_OBJECT", "0085", 133)]
    [InlineData("TPM2B_PRIVATE", "0801", 2049)]
    [InlineData("TPM2B_PUBLIC", "0401", 1025)]
    [InlineData("TPM2B_ATTEST", "0401", 1025)]
    [InlineData("TPM2B_CREATION_DATA", "0401", 1025)]
    [InlineData("TPM2B_NV_PUBLIC", "004F", 79)]
    [InlineData("TPM2B_SENSITIVE_CREATE", "0145", 325)]
    [InlineData("TPM2B_ECC_POINT", "0089", 137)]
    [InlineData("TPMT_TICKET", "8021 40000001 0041", 65)]
    [InlineData("TPMS_PCR_SELECTION", "000B 09", 9)] // sizeofSelect: PCR_SELECT_MAX
    public void A_size_larger_than_the_structure_maximum_is_a_format_error_even_when_the_bytes_are_there(string structure, string prefix, int padding)
    {
        var message = FormatError(structure, prefix + Pad(padding));
        Assert.DoesNotContain("remaining", message);
        Assert.Matches("exceeds (its maximum )?[0-9]+$", message);
    }

    [Theory]
    [InlineData("0000 000B 00000000 0000 0010 0010")]
    [InlineData("0002 000B 00000000 0000 0010 0010")]
    [InlineData("0014 000B 00000000 0000 0010 0010")]
    public void An_unknown_object_type_is_a_format_error(string hex) =>
        Assert.Contains("unknown public object type", FormatError("TPMT_PUBLIC", hex));

    [Fact]
    public void An_unknown_name_algorithm_is_a_format_error() =>
        Assert.Contains("unknown name algorithm", FormatError("TPMT_PUBLIC", "0001 0001 00000000 0000 0010 0010 0800 00000000 0000"));

    [Theory]
    [InlineData("0001 000B")] // TPM_ALG_RSA is not a scheme
    [InlineData("0007 000B")] // MGF1: not supported
    [InlineData("FFFF 000B")]
    public void An_unknown_scheme_is_a_format_error(string hex) => Assert.Contains("unknown scheme", FormatError("TPMT_SCHEME", hex));

    [Fact]
    public void An_unknown_scheme_inside_a_public_area_is_a_format_error() =>
        Assert.Contains("unknown scheme", FormatError("TPMT_PUBLIC", "0001 000B 00050072 0000 0010 0023 000B 0800 00000000 0000"));

    [Theory]
    [InlineData("0003 0080 0043")] // TDES
    [InlineData("0026 0080 0043")] // Camellia
    [InlineData("000B 0080 0043")] // a hash
    public void An_unknown_symmetric_algorithm_is_a_format_error(string hex) =>
        Assert.Contains("unknown symmetric algorithm", FormatError("TPMT_SYM_DEF", hex));

    [Fact]
    public void An_unknown_symmetric_mode_is_a_format_error() =>
        Assert.Contains("unknown symmetric mode", FormatError("TPMT_SYM_DEF", "0006 0080 0014"));

    [Theory]
    [InlineData("0001 000B 0000")] // TPM_ALG_RSA
    [InlineData("001B 000B 0000 0000")] // SM2
    [InlineData("0015 000B 0000")] // RSAES is an encryption scheme
    public void An_unknown_signature_algorithm_is_a_format_error(string hex) =>
        Assert.Contains("unknown signature algorithm", FormatError("TPMT_SIGNATURE", hex));

    [Theory]
    [InlineData("0014 0010 0000")] // RSASSA with TPM_ALG_NULL
    [InlineData("0018 0001 0000 0000")] // ECDSA with TPM_ALG_RSA
    public void A_signature_whose_hash_is_not_a_hash_is_a_format_error(string hex) =>
        Assert.Contains("not a supported hash", FormatError("TPMT_SIGNATURE", hex));

    [Theory]
    [InlineData("801C")] // TPM_ST_ATTEST_NV_DIGEST: not supported
    [InlineData("0000")]
    [InlineData("8021")] // TPM_ST_CREATION is a ticket tag, not an attestation type
    public void An_unknown_attestation_type_is_a_format_error(string type) =>
        Assert.Contains("unknown attestation type", FormatError("TPMS_ATTEST", AttestHeader(type) + "0000 0000"));

    [Theory]
    [InlineData("8018")] // TPM_ST_ATTEST_QUOTE
    [InlineData("8000")] // TPM_ST_NULL
    [InlineData("0000")]
    public void An_unknown_ticket_tag_is_a_format_error(string tag) =>
        Assert.Contains("unknown ticket tag", FormatError("TPMT_TICKET", tag + "40000001 0000"));

    [Theory]
    [InlineData("00000002 00000001 00000000")] // TPM_CAP_COMMANDS: not supported
    [InlineData("12345678 00000001 00000000")]
    [InlineData("00000002 00000000")] // …even with an empty list
    [InlineData("12345678 00000000")]
    public void An_unknown_capability_is_a_format_error(string hex) =>
        Assert.Contains("unsupported capability", FormatError("TPMS_CAPABILITY_DATA", hex));

    [Fact]
    public void Trailing_bytes_after_a_structure_are_a_format_error_with_FromBytes() =>
        Assert.Contains("trailing", FormatError("TPMS_CLOCK_INFO", "0000000000000001 00000001 00000000 01 00"));

    [Fact]
    public void Trailing_bytes_inside_a_TPM2B_scope_are_a_format_error() =>
        // TPM2B_NV_PUBLIC whose size covers one byte more than the TPMS_NV_PUBLIC.
        Assert.Contains("trailing", FormatError("TPM2B_NV_PUBLIC", "000F 01C00002 000B 00000000 0000 0010 FF"));

    [Theory]
    [InlineData("TPM2B_PUBLIC")]
    [InlineData("TPM2B_ATTEST")]
    [InlineData("TPM2B_NV_PUBLIC")]
    public void An_empty_TPM2B_where_a_structure_is_required_is_a_format_error(string structure) =>
        Assert.Contains("empty", FormatError(structure, "0000"));

    [Fact]
    public void A_TPMI_YES_NO_of_2_is_a_format_error() =>
        Assert.Contains("TPMI_YES_NO", FormatError("TPMS_CLOCK_INFO", "0000000000000001 00000001 00000000 02"));

    [Fact]
    public void A_TPMI_YES_NO_of_2_in_a_session_audit_is_a_format_error() =>
        Assert.Contains("TPMI_YES_NO", FormatError("TPMS_ATTEST", AttestHeader("8016") + "02 0000"));

    [Theory]
    [InlineData("TPMT_HA", "0001" )] // TPM_ALG_RSA
    [InlineData("TPMT_HA", "0010")] // TPM_ALG_NULL
    [InlineData("TPMT_HA", "0006 00000000000000000000000000000000")] // AES
    [InlineData("TPML_DIGEST_VALUES", "00000001 0014 00000000000000000000000000000000")]
    [InlineData("TPMT_SIGNATURE", "0005 0010")] // HMAC signature whose TPMT_HA has TPM_ALG_NULL
    public void A_TPMT_HA_with_an_algorithm_that_is_not_a_hash_is_a_format_error(string structure, string hex) =>
        Assert.Contains("not a supported hash", FormatError(structure, hex));

    [Fact]
    public void A_TPML_DIGEST_count_above_8_is_a_format_error_even_when_the_digests_are_there() =>
        Assert.Contains("count 9", FormatError("TPML_DIGEST", "00000009" + string.Concat(Enumerable.Repeat("0001 AA", 9))));

    [Theory]
    [InlineData("TPML_DIGEST", "FFFFFFFF")]
    [InlineData("TPML_DIGEST", "80000000")]
    [InlineData("TPML_PCR_SELECTION", "FFFFFFFF")]
    [InlineData("TPML_PCR_SELECTION", "00000041")]
    [InlineData("TPML_DIGEST_VALUES", "FFFFFFFF")]
    [InlineData("TPMS_CAPABILITY_DATA", "00000001 FFFFFFFF")]
    [InlineData("TPMS_CAPABILITY_DATA", "00000006 00000401")]
    [InlineData("TPMS_CAPABILITY_DATA", "00000005 FFFFFFFF")]
    public void A_huge_list_count_fails_fast_without_allocating_the_list(string structure, string hex)
    {
        var bytes = Hex.Parse(hex + "0000");
        var before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Throws<TpmFormatException>(() => Parsers[structure](bytes));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 1_000_000, $"parsing a {structure} with count {hex} allocated {allocated} bytes");
    }
}
