using System.Formats.Asn1;
using IoTIdentity.Attestation.Ek;

namespace IoTIdentity.Attestation.Tests.Ek;

public sealed class TcgSubjectAlternativeNameTests
{
    [Fact]
    public void TPM_identity_in_one_multi_valued_RDN_is_read_like_three_single_RDNs()
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 4)))
        using (writer.PushSequence())
        using (writer.PushSetOf())
        {
            foreach ((string oid, string value) in new[] { ("2.23.133.2.1", "id:49465800"), ("2.23.133.2.2", "SLB9670"), ("2.23.133.2.3", "id:000D0000") })
            {
                using (writer.PushSequence())
                {
                    writer.WriteObjectIdentifier(oid);
                    writer.WriteCharacterString(UniversalTagNumber.UTF8String, value);
                }
            }
        }

        Assert.True(TcgSubjectAlternativeName.TryParse(writer.Encode(), out TpmManufacturerInfo? info));
        Assert.Equal(new TpmManufacturerInfo("id:49465800", "SLB9670", "id:000D0000"), info);
        Assert.Equal(0x49465800u, info!.ManufacturerId);
    }

    [Fact]
    public void SAN_without_TPM_attributes_gives_no_identity_and_a_broken_SAN_does_not_parse()
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
            writer.WriteCharacterString(UniversalTagNumber.IA5String, "device.example", new Asn1Tag(TagClass.ContextSpecific, 2));

        Assert.True(TcgSubjectAlternativeName.TryParse(writer.Encode(), out TpmManufacturerInfo? info));
        Assert.Null(info);
        Assert.False(TcgSubjectAlternativeName.TryParse(new byte[] { 0x30, 0x05, 0xA4, 0x10 }, out _));
    }
}
