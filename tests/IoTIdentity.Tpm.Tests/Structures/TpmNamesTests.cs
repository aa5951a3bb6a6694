using System.Security.Cryptography;
using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;
using IoTIdentity.TestKit;
using static IoTIdentity.Tpm.Tests.Structures.Samples;

namespace IoTIdentity.Tpm.Tests.Structures;

public class TpmNamesTests
{
    [Fact]
    public void The_Name_of_the_RSA_EK_template_is_nameAlg_then_SHA256_of_its_hand_written_bytes()
    {
        // The public area written out by hand from the EK Credential Profile, hashed independently of the library.
        var publicArea = Hex.Parse(
            "0001 000B 000300B2 0020 837197674484B3F81A90CC8D46A5D724FD52D76E06520B64F2A1DA1B331469AA" +
            "0006 0080 0043 0010 0800 00000000 0100" + new string('0', 512));
        byte[] expected = [0x00, 0x0B, .. SHA256.HashData(publicArea)];

        Assert.Equal(expected, TpmNames.Of(Tpm2b<TpmtPublic>.From(EkRsaTemplate)));
        Assert.Equal(expected, TpmNames.Of(Tpm2b<TpmtPublic>.FromRaw(publicArea)));
    }

    [Fact]
    public void The_Name_of_a_public_area_parsed_from_a_TPM2B_PUBLIC_hashes_the_received_bytes()
    {
        var inner = TpmMarshal.ToBytes(AkEcc);
        var wrapped = TpmMarshal.FromBytes<Tpm2b<TpmtPublic>>([(byte)(inner.Length >> 8), (byte)inner.Length, .. inner]);
        byte[] expected = [0x00, 0x0B, .. SHA256.HashData(inner)];
        Assert.Equal(expected, TpmNames.Of(wrapped));
        Assert.Equal(34, expected.Length);
    }

    [Fact]
    public void The_Name_of_an_NV_index_is_nameAlg_then_the_digest_of_its_public_area()
    {
        var nvPublic = Hex.Parse("01C00002 000B 62072001 0000 0416");
        byte[] expected = [0x00, 0x0B, .. SHA256.HashData(nvPublic)];
        Assert.Equal(expected, TpmNames.Of(Tpm2b<TpmsNvPublic>.From(EkCertificateIndex)));
    }

    [Theory]
    [InlineData(TpmAlgId.Sha1, "0004")]
    [InlineData(TpmAlgId.Sha384, "000C")]
    [InlineData(TpmAlgId.Sha512, "000D")]
    public void The_Name_uses_the_objects_own_nameAlg(TpmAlgId nameAlg, string prefix)
    {
        var publicArea = Tpm2b<TpmtPublic>.From(AkRsa with { NameAlg = nameAlg });
        var digest = nameAlg switch
        {
            TpmAlgId.Sha1 => SHA1.HashData(publicArea.Raw),
            TpmAlgId.Sha384 => SHA384.HashData(publicArea.Raw),
            _ => SHA512.HashData(publicArea.Raw),
        };
        Assert.Equal(Convert.ToHexString([.. Hex.Parse(prefix), .. digest]), Convert.ToHexString(TpmNames.Of(publicArea)));
    }

    [Fact]
    public void The_Name_of_a_permanent_handle_is_the_handle_big_endian() =>
        Assert.Equal(Hex.Parse("4000000B"), TpmNames.OfHandle(TpmHandles.Endorsement));
}
