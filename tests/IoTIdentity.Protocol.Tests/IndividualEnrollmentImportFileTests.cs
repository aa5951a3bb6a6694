using IoTIdentity.Protocol.Management;

namespace IoTIdentity.Protocol.Tests;

/// <summary>The import file the CLI and the console read: CSV by its header or JSON rows; text that is not an import is named.</summary>
public sealed class IndividualEnrollmentImportFileTests
{
    [Fact]
    public void A_csv_is_read_by_its_header_in_any_order_and_case_skipping_blank_and_comment_lines()
    {
        var rows = IndividualEnrollmentImportFile.Parse("# devices\r\nENABLED,deviceid,groupId\r\n\r\nfalse,aa,g1\n1,bb,\n0,cc,g2\n",
            certificate: _ => throw new InvalidOperationException("no certificate column"));

        Assert.Equal([new("aa", null, "g1", false), new("bb", null, null, true), new("cc", null, "g2", false)], rows);
    }

    [Fact]
    public void An_ek_certificate_cell_is_what_the_reader_makes_of_it_or_the_cell_itself()
    {
        var rows = IndividualEnrollmentImportFile.Parse("ekCertificate\nek.pem\nMIIBase64==\n", cell => cell == "ek.pem" ? "-----BEGIN CERTIFICATE-----" : null);

        Assert.Equal(["-----BEGIN CERTIFICATE-----", "MIIBase64=="], rows.Select(r => r.EkCertificate));
        Assert.Equal("MIIBase64==", Assert.Single(IndividualEnrollmentImportFile.Parse("ekCertificate\nMIIBase64==\n")).EkCertificate);
    }

    [Theory]
    [InlineData("""{"groupId":"g","rows":[{"deviceId":"aa"},{"ekCertificate":"MIIB","enabled":false}]}""")]
    [InlineData("""[{"deviceId":"aa"},{"ekCertificate":"MIIB","enabled":false}]""")]
    public void Json_is_the_imports_body_or_an_array_of_its_rows(string json)
    {
        Assert.Equal([new("aa"), new(null, "MIIB", Enabled: false)], IndividualEnrollmentImportFile.Parse(json));
    }

    [Theory]
    [InlineData("", "no rows")]
    [InlineData("# only a comment\n\n", "no rows")]
    [InlineData("device,group\nabc,g\n", "unknown column 'device' in the header; the columns are deviceId, ekCertificate, groupId, enabled, claimCodeSha256")]
    [InlineData("groupId,enabled\ng,true\n", "the header needs a deviceId or an ekCertificate column")]
    [InlineData("""{"devices":[]}""", "JSON without a rows array")]
    [InlineData("""{"rows":{}}""", "JSON without a rows array")]
    [InlineData("""[{"deviceId":""", "not an import's JSON: ")]
    public void Text_that_is_not_an_import_is_refused_naming_what_is_wrong(string text, string expected)
    {
        var refused = Assert.Throws<FormatException>(() => IndividualEnrollmentImportFile.Parse(text));

        Assert.StartsWith(expected, refused.Message);
    }
}
