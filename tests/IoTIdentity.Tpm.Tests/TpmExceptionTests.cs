using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Tpm.Tests;

/// <summary><see cref="TpmException"/> and the response-header check the command layer uses.</summary>
public sealed class TpmExceptionTests
{
    [Fact]
    public void The_message_names_the_command_the_code_and_the_parameter()
    {
        var error = new TpmException(0x2DF, TpmCc.ActivateCredential);

        Assert.Equal("TPM2_ActivateCredential failed: TPM_RC_INTEGRITY (parameter 2)", error.Message);
        Assert.Equal(0x2DFu, error.ResponseCode);
        Assert.Equal(TpmRc.Integrity, error.Code);
        Assert.Equal(TpmRcSubject.Parameter, error.Subject);
        Assert.Equal(2, error.Index);
        Assert.Equal(TpmCc.ActivateCredential, error.Command);
    }

    [Theory]
    [InlineData(TpmCc.PcrRead, "TPM2_PCR_Read")]
    [InlineData(TpmCc.NvReadPublic, "TPM2_NV_ReadPublic")]
    [InlineData(TpmCc.CreatePrimary, "TPM2_CreatePrimary")]
    [InlineData((TpmCc)0x20000001u, "TPM_CC 0x20000001")]
    public void Command_names_follow_the_specification(TpmCc command, string name)
        => Assert.Equal(name, TpmException.CommandName(command));

    [Fact]
    public void Without_a_command_the_message_still_names_the_code()
        => Assert.Equal("TPM command failed: TPM_RC_LOCKOUT (warning)", new TpmException(0x921).Message);

    [Fact]
    public void ThrowIfError_passes_a_success_response()
        => TpmResponse.ThrowIfError(Convert.FromHexString("80010000000C000000000010"), TpmCc.GetRandom);

    [Fact]
    public void ThrowIfError_throws_the_decoded_error()
    {
        var error = Assert.Throws<TpmException>(() => TpmResponse.ThrowIfError(Convert.FromHexString("80010000000A0000098E"), TpmCc.Quote));

        Assert.Equal(TpmRc.AuthFail, error.Code);
        Assert.Equal(TpmRcSubject.Session, error.Subject);
        Assert.Equal(1, error.Index);
    }

    [Theory]
    [InlineData("8001000000")]                     // shorter than the header
    [InlineData("80010000000B00000000")]           // size says 11, 10 given
    [InlineData("80030000000A00000000")]           // not a response tag
    [InlineData("00C40000000A00000000")]           // TPM 1.2 tag claiming success
    public void ThrowIfError_rejects_a_malformed_header_as_a_format_error(string hex)
        => Assert.Throws<TpmFormatException>(() => TpmResponse.ThrowIfError(Convert.FromHexString(hex), TpmCc.GetRandom));

    [Fact]
    public void A_TPM12_style_error_response_is_a_TpmException()
    {
        var error = Assert.Throws<TpmException>(() => TpmResponse.ThrowIfError(Convert.FromHexString("00C40000000A0000001E"), null));

        Assert.Equal(TpmRc.BadTag, error.Code);
        Assert.Equal("TPM command failed: TPM_RC_BAD_TAG", error.Message);
    }
}
