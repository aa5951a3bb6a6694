using System.Security.Cryptography;
using IoTIdentity.Attestation.Ek;
using IoTIdentity.Simulator.Swtpm;
using IoTIdentity.Simulator.Swtpm.Manufacturing;

namespace IoTIdentity.Attestation.Tests.Ek;

/// <summary>
/// Which TPM an EK certificate names: the hardwareModuleName of its SAN, else its subject's serialNumber, qualified by
/// the TCG manufacturer; nothing when it carries neither (swtpm_localca's, the profile's minimum).
/// </summary>
public sealed class TpmHardwareSerialTests(ManufacturerFixture fixture) : IClassFixture<ManufacturerFixture>
{
    private const string HardwareType = "1.3.6.1.4.1.99999.1";

    private static readonly byte[] Serial = [0x00, 0x01, 0xab, 0xff];

    private byte[] Issue(EkCertificateProfile profile, bool ecc = false)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        return ecc ? fixture.Ca.IssueEkCertificate(key.ExportParameters(false), profile) : fixture.Ca.IssueEkCertificate(fixture.Ek, profile);
    }

    [Fact]
    public void The_hardware_module_name_of_the_SAN_names_the_TPM_with_its_manufacturer()
    {
        var tpm = TpmHardwareSerial.From(Issue(new EkCertificateProfile { HardwareModule = (HardwareType, Serial) }));

        Assert.Equal(new TpmHardwareSerial("id:53575450", HardwareType, "0001abff"), tpm);
        Assert.Equal("id:53575450/1.3.6.1.4.1.99999.1/0001abff", tpm!.ToString());
    }

    [Fact]
    public void The_subject_serialNumber_names_the_TPM_when_the_SAN_has_no_hardware_module()
    {
        var tpm = TpmHardwareSerial.From(Issue(new EkCertificateProfile { Subject = "OID.2.5.4.5=TPM-0042" }));

        Assert.Equal(new TpmHardwareSerial("id:53575450", TpmHardwareSerial.SubjectSerialNumber, Convert.ToHexStringLower("TPM-0042"u8)), tpm);
    }

    [Fact]
    public void The_RSA_and_ECC_EK_certificates_of_one_serial_name_one_TPM_and_another_serial_or_manufacturer_another()
    {
        var rsa = TpmHardwareSerial.From(Issue(new EkCertificateProfile { HardwareModule = (HardwareType, Serial) }))!;
        var ecc = TpmHardwareSerial.From(Issue(new EkCertificateProfile { HardwareModule = (HardwareType, Serial) }, ecc: true))!;
        var otherSerial = TpmHardwareSerial.From(Issue(new EkCertificateProfile { HardwareModule = (HardwareType, [.. Serial, 0]) }))!;
        var otherVendor = TpmHardwareSerial.From(Issue(new EkCertificateProfile { HardwareModule = (HardwareType, Serial), Manufacturer = "id:49465800" }))!;

        Assert.Equal(rsa.Key, ecc.Key);
        Assert.Equal(64, rsa.Key.Length);
        Assert.NotEqual(rsa.Key, otherSerial.Key);
        Assert.NotEqual(rsa.Key, otherVendor.Key);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("empty serial")]
    [InlineData("no SAN")]
    [InlineData("not a certificate")]
    public void A_certificate_that_carries_no_TPM_serial_names_no_TPM(string shape)
    {
        byte[] certificate = shape switch
        {
            "none" => Issue(new EkCertificateProfile()),
            "empty serial" => Issue(new EkCertificateProfile { HardwareModule = (HardwareType, []) }),
            "no SAN" => Issue(new EkCertificateProfile { OmitSubjectAlternativeName = true }),
            _ => [0x30, 0x03, 0x02, 0x01, 0x01],
        };

        Assert.Null(TpmHardwareSerial.From(certificate));
    }

    [Fact]
    public async Task The_EK_certificates_swtpm_setup_writes_name_no_TPM()
    {
        await using var swtpm = await SwtpmProcess.StartAsync();

        Assert.Null(TpmHardwareSerial.From(swtpm.RsaEkCertificateDer));
        Assert.Null(TpmHardwareSerial.From(swtpm.EccEkCertificateDer));
    }
}
