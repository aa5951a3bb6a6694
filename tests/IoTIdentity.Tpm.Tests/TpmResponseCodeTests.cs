using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Tpm.Tests;

/// <summary>TPM_RC decoding, Part 2, §6.6.</summary>
public sealed class TpmResponseCodeTests
{
    [Theory]
    // Format-one with a parameter number: P (bit 6) set, N in bits 11:8.
    [InlineData(0x2DFu, TpmRc.Integrity, TpmRcSubject.Parameter, 2)]
    [InlineData(0x1C4u, TpmRc.Value, TpmRcSubject.Parameter, 1)]
    [InlineData(0xFD5u, TpmRc.Size, TpmRcSubject.Parameter, 15)]
    [InlineData(0x5E7u, TpmRc.EccPoint, TpmRcSubject.Parameter, 5)]
    // Format-one with a handle number: P clear, N bit 3 clear.
    [InlineData(0x18Bu, TpmRc.Handle, TpmRcSubject.Handle, 1)]
    [InlineData(0x79Cu, TpmRc.Key, TpmRcSubject.Handle, 7)]
    [InlineData(0x282u, TpmRc.Attributes, TpmRcSubject.Handle, 2)]
    // Format-one with a session number: P clear, N bit 3 set.
    [InlineData(0x98Eu, TpmRc.AuthFail, TpmRcSubject.Session, 1)]
    [InlineData(0xA9Du, TpmRc.PolicyFail, TpmRcSubject.Session, 2)]
    [InlineData(0x9A2u, TpmRc.BadAuth, TpmRcSubject.Session, 1)]
    // Format-one naming nothing (N = 0).
    [InlineData(0x092u, TpmRc.Scheme, TpmRcSubject.None, 0)]
    [InlineData(0x096u, TpmRc.Symmetric, TpmRcSubject.None, 0)]
    [InlineData(0x0C4u, TpmRc.Value, TpmRcSubject.None, 0)] // P set but N = 0
    public void Format_one_codes_decode_to_the_canonical_code_and_what_they_name(uint raw, TpmRc code, TpmRcSubject subject, int index)
    {
        var rc = new TpmResponseCode(raw);

        Assert.True(rc.IsFormatOne);
        Assert.False(rc.IsWarning);
        Assert.Equal(code, rc.Code);
        Assert.Equal(subject, rc.Subject);
        Assert.Equal(index, rc.Index);
    }

    [Theory]
    [InlineData(0x100u, TpmRc.Initialize, false)]
    [InlineData(0x101u, TpmRc.Failure, false)]
    [InlineData(0x146u, TpmRc.NvRange, false)]
    [InlineData(0x14Cu, TpmRc.NvDefined, false)]
    [InlineData(0x922u, TpmRc.Retry, true)]
    [InlineData(0x921u, TpmRc.Lockout, true)]
    [InlineData(0x908u, TpmRc.Yielded, true)]
    [InlineData(0x910u, TpmRc.ReferenceH0, true)]
    [InlineData(0x91Eu, TpmRc.ReferenceS6, true)]
    [InlineData(0x902u, TpmRc.ObjectMemory, true)]
    public void Format_zero_codes_decode_errors_and_warnings(uint raw, TpmRc code, bool warning)
    {
        var rc = new TpmResponseCode(raw);

        Assert.False(rc.IsFormatOne);
        Assert.Equal(code, rc.Code);
        Assert.Equal(warning, rc.IsWarning);
        Assert.Equal(TpmRcSubject.None, rc.Subject);
        Assert.Equal(0, rc.Index);
        Assert.False(rc.IsVendorSpecific);
        Assert.False(rc.IsTpm12);
    }

    [Theory]
    [InlineData(0x2DFu, "TPM_RC_INTEGRITY (parameter 2)")]
    [InlineData(0x98Eu, "TPM_RC_AUTH_FAIL (session 1)")]
    [InlineData(0x18Bu, "TPM_RC_HANDLE (handle 1)")]
    [InlineData(0x922u, "TPM_RC_RETRY (warning)")]
    [InlineData(0x911u, "TPM_RC_REFERENCE_H1 (warning)")]
    [InlineData(0x146u, "TPM_RC_NV_RANGE")]
    [InlineData(0x144u, "TPM_RC_AUTHSIZE")]
    [InlineData(0x151u, "TPM_RC_CPHASH")]
    [InlineData(0x0A7u, "TPM_RC_ECC_POINT")]
    [InlineData(0x01Eu, "TPM_RC_BAD_TAG")]
    [InlineData(0x000u, "TPM_RC_SUCCESS")]
    public void Codes_print_with_their_specification_names(uint raw, string text)
        => Assert.Equal(text, new TpmResponseCode(raw).ToString());

    [Fact]
    public void Vendor_codes_decode_without_a_name()
    {
        var rc = new TpmResponseCode(0x00000D21); // RC_VER1 | T (vendor, bit 10) | S (bit 11) | 0x21

        Assert.True(rc.IsVendorSpecific);
        Assert.False(rc.IsWarning);
        Assert.False(rc.IsFormatOne);
        Assert.Null(rc.CodeName);
        Assert.Equal("vendor-specific response code 0x00000D21", rc.ToString());
    }

    [Fact]
    public void Tpm12_codes_decode_without_crashing()
    {
        var rc = new TpmResponseCode(0x0000003D); // TPM 1.2 TPM_BAD_LOCALITY: V clear

        Assert.True(rc.IsTpm12);
        Assert.False(rc.IsWarning);
        Assert.Equal((TpmRc)0x3D, rc.Code);
        Assert.Equal("TPM 1.2 response code 0x0000003D", rc.ToString());
    }

    [Fact]
    public void Reserved_high_bits_do_not_change_the_canonical_code_of_a_format_zero_code()
    {
        var rc = new TpmResponseCode(0x00010922);

        Assert.Equal(TpmRc.Retry, rc.Code);
        Assert.True(rc.IsWarning);
    }

    [Fact]
    public void Codes_missing_from_the_table_print_as_hex()
    {
        var rc = new TpmResponseCode(0x1EF); // format-one, error number 0x2F, parameter 1

        Assert.Equal((TpmRc)0x0AF, rc.Code);
        Assert.Equal("unknown response code 0x000001EF (parameter 1)", rc.ToString());
    }
}
