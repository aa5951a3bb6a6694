using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IoTIdentity.Simulator.Swtpm;
using IoTIdentity.TestKit;
using static IoTIdentity.Provisioning.Certificates.Tests.TestAuthorities;

namespace IoTIdentity.Provisioning.Certificates.Tests;

public sealed class DeviceCertificateIssuerTests : IDisposable
{
    private readonly IssuingCa _ca = LoadShared();
    private readonly DeviceCertificateIssuer _issuer = new(Clock(), RandomNumberGenerator.Create());
    private readonly ECDsa _deviceKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public void Dispose()
    {
        _ca.Dispose();
        _deviceKey.Dispose();
    }

    [Fact]
    public void An_issued_certificate_parses_in_NET_and_chains_to_the_tenant_root()
    {
        var issued = _issuer.Issue(_ca, Request(_deviceKey.ExportSubjectPublicKeyInfo()));

        using var certificate = X509CertificateLoader.LoadCertificate(issued.Der);
        Assert.Equal(_deviceKey.ExportSubjectPublicKeyInfo(), certificate.PublicKey.ExportSubjectPublicKeyInfo());
        var chain = Chain(issued.Der, Material.RootCertificate, Now, Material.IssuingCertificate);
        Assert.True(chain.Built, chain.Flags.ToString());
        Assert.Equal(3, chain.Length);
    }

    [Fact]
    public void The_subject_is_the_device_and_the_tenant()
    {
        var request = Request(_deviceKey.ExportSubjectPublicKeyInfo());
        using var certificate = X509CertificateLoader.LoadCertificate(_issuer.Issue(_ca, request).Der);
        Assert.Equal($"CN={request.DeviceId}, O=tenant-a", certificate.Subject);
        Assert.Equal("CN=IoTIdentity Issuing CA, O=tenant-a", certificate.Issuer);
    }

    [Fact]
    public void The_SAN_holds_the_device_URI_and_the_TPM_hardware_module_name()
    {
        var request = Request(_deviceKey.ExportSubjectPublicKeyInfo());
        using var certificate = X509CertificateLoader.LoadCertificate(_issuer.Issue(_ca, request).Der);
        var san = certificate.Extensions["2.5.29.17"]!;
        Assert.False(san.Critical);

        var names = new AsnReader(san.RawData, AsnEncodingRules.DER).ReadSequence();
        Assert.Equal($"urn:iotidentity:device:{request.DeviceId}",
            names.ReadCharacterString(UniversalTagNumber.IA5String, new Asn1Tag(TagClass.ContextSpecific, 6)));
        var otherName = names.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true));
        Assert.False(names.HasData);
        Assert.Equal("1.3.6.1.5.5.7.8.4", otherName.ReadObjectIdentifier());
        var hardwareModuleName = otherName.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)).ReadSequence();
        Assert.False(otherName.HasData);
        Assert.Equal("2.23.133.1.2", hardwareModuleName.ReadObjectIdentifier());
        Assert.Equal(Convert.FromHexString(request.DeviceId), hardwareModuleName.ReadOctetString());
        Assert.False(hardwareModuleName.HasData);
    }

    [Fact]
    public void The_certificate_is_a_critical_non_CA_digital_signature_client_authentication_certificate()
    {
        using var certificate = X509CertificateLoader.LoadCertificate(
            _issuer.Issue(_ca, Request(_deviceKey.ExportSubjectPublicKeyInfo())).Der);

        var constraints = certificate.Extensions.OfType<X509BasicConstraintsExtension>().Single();
        Assert.True(constraints.Critical);
        Assert.False(constraints.CertificateAuthority);
        var usage = certificate.Extensions.OfType<X509KeyUsageExtension>().Single();
        Assert.True(usage.Critical);
        Assert.Equal(X509KeyUsageFlags.DigitalSignature, usage.KeyUsages);
        var extendedUsage = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single();
        Assert.Equal(["1.3.6.1.5.5.7.3.2"], extendedUsage.EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value));
    }

    [Fact]
    public void The_key_identifiers_link_the_device_to_the_issuing_CA()
    {
        using var certificate = X509CertificateLoader.LoadCertificate(
            _issuer.Issue(_ca, Request(_deviceKey.ExportSubjectPublicKeyInfo())).Der);
        using var issuing = X509CertificateLoader.LoadCertificate(Material.IssuingCertificate);

        var expectedSki = new X509SubjectKeyIdentifierExtension(certificate.PublicKey, X509SubjectKeyIdentifierHashAlgorithm.Sha1, false);
        Assert.Equal(expectedSki.SubjectKeyIdentifier, certificate.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single().SubjectKeyIdentifier);
        Assert.Equal(issuing.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single().SubjectKeyIdentifier,
            Convert.ToHexString(certificate.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().Single().KeyIdentifier!.Value.Span));
    }

    [Fact]
    public void The_CRL_distribution_point_is_the_requested_URL()
    {
        using var certificate = X509CertificateLoader.LoadCertificate(
            _issuer.Issue(_ca, Request(_deviceKey.ExportSubjectPublicKeyInfo())).Der);
        var extension = certificate.Extensions["2.5.29.31"]!;

        var point = new AsnReader(extension.RawData, AsnEncodingRules.DER).ReadSequence().ReadSequence();
        var fullName = point.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true))
            .ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true));
        Assert.Equal(CrlUrl.AbsoluteUri, fullName.ReadCharacterString(UniversalTagNumber.IA5String, new Asn1Tag(TagClass.ContextSpecific, 6)));
    }

    [Fact]
    public void The_serial_is_16_positive_octets_and_matches_the_returned_hex()
    {
        var issued = _issuer.Issue(_ca, Request(_deviceKey.ExportSubjectPublicKeyInfo()));
        using var certificate = X509CertificateLoader.LoadCertificate(issued.Der);

        var serial = certificate.SerialNumberBytes.ToArray(); // big-endian DER INTEGER content
        Assert.Equal(16, serial.Length);
        Assert.True(serial[0] is > 0 and < 0x80);
        Assert.Equal(issued.SerialNumber, Convert.ToHexStringLower(serial));
    }

    [Fact]
    public void A_generator_that_yields_a_high_bit_or_a_zero_first_octet_still_gives_16_positive_octets()
    {
        var highBit = new DeviceCertificateIssuer(Clock(), new ScriptedRandom(0xFF)).Issue(_ca, Request(_deviceKey.ExportSubjectPublicKeyInfo()));
        Assert.Equal("7f" + new string('f', 30), highBit.SerialNumber);

        var zeroFirst = new DeviceCertificateIssuer(Clock(), new ScriptedRandom(0x80, 0xAB, 0xAB, 0xAB, 0xAB, 0xAB, 0xAB, 0xAB,
            0xAB, 0xAB, 0xAB, 0xAB, 0xAB, 0xAB, 0xAB, 0xAB, 0x05)).Issue(_ca, Request(_deviceKey.ExportSubjectPublicKeyInfo()));
        Assert.Equal("05" + string.Concat(Enumerable.Repeat("ab", 15)), zeroFirst.SerialNumber);

        foreach (var issued in new[] { highBit, zeroFirst })
        {
            using var certificate = X509CertificateLoader.LoadCertificate(issued.Der);
            Assert.Equal(issued.SerialNumber, Convert.ToHexStringLower(certificate.SerialNumberBytes.Span));
        }
    }

    [Fact]
    public void The_validity_follows_the_injected_clock_the_lifetime_and_the_skew()
    {
        var request = Request(_deviceKey.ExportSubjectPublicKeyInfo()) with
        {
            Lifetime = TimeSpan.FromDays(7),
            NotBeforeSkew = TimeSpan.FromMinutes(10),
        };
        var issued = _issuer.Issue(_ca, request);
        using var certificate = X509CertificateLoader.LoadCertificate(issued.Der);

        var wholeSecondNow = new DateTimeOffset(2030, 1, 1, 12, 0, 0, TimeSpan.Zero);
        Assert.Equal(wholeSecondNow.AddMinutes(-10), issued.NotBefore);
        Assert.Equal(wholeSecondNow.AddDays(7), issued.NotAfter);
        Assert.Equal(issued.NotBefore.UtcDateTime, certificate.NotBefore.ToUniversalTime());
        Assert.Equal(issued.NotAfter.UtcDateTime, certificate.NotAfter.ToUniversalTime());

        var byDefault = _issuer.Issue(_ca, Request(_deviceKey.ExportSubjectPublicKeyInfo()));
        Assert.Equal(wholeSecondNow.AddMinutes(-5), byDefault.NotBefore);
        Assert.Equal(wholeSecondNow.AddDays(30), byDefault.NotAfter);
    }

    [Fact]
    public void A_certificate_never_outlives_its_issuing_CA()
    {
        var late = new DeviceCertificateIssuer(Clock(_ca.NotAfter.AddDays(-3)), RandomNumberGenerator.Create());
        Assert.Equal(_ca.NotAfter, late.Issue(_ca, Request(_deviceKey.ExportSubjectPublicKeyInfo())).NotAfter);

        var tooLate = new DeviceCertificateIssuer(Clock(_ca.NotAfter.AddDays(1)), RandomNumberGenerator.Create());
        Assert.Throws<ArgumentException>(() => tooLate.Issue(_ca, Request(_deviceKey.ExportSubjectPublicKeyInfo())));
    }

    [Theory]
    [InlineData("rsa-2048")]
    [InlineData("ecc-p256")]
    [InlineData("ecc-p384")]
    public void RSA_and_ECC_device_keys_are_both_certified(string kind)
    {
        using AsymmetricAlgorithm key = kind switch
        {
            "rsa-2048" => RSA.Create(2048),
            "ecc-p256" => ECDsa.Create(ECCurve.NamedCurves.nistP256),
            _ => ECDsa.Create(ECCurve.NamedCurves.nistP384),
        };
        var issued = _issuer.Issue(_ca, Request(key.ExportSubjectPublicKeyInfo()));

        using var certificate = X509CertificateLoader.LoadCertificate(issued.Der);
        Assert.Equal(key.ExportSubjectPublicKeyInfo(), certificate.PublicKey.ExportSubjectPublicKeyInfo());
        Assert.True(Chain(issued.Der, Material.RootCertificate, Now, Material.IssuingCertificate).Built);
    }

    [Fact]
    public void Many_issuances_give_distinct_serials()
    {
        var spki = _deviceKey.ExportSubjectPublicKeyInfo();
        var request = Request(spki);
        var serials = Enumerable.Range(0, 1000).Select(_ => _issuer.Issue(_ca, request).SerialNumber).ToList();
        Assert.Equal(serials.Count, serials.Distinct().Count());
        Assert.All(serials, s => Assert.Equal(32, s.Length));
    }

    [Fact]
    public void Requests_the_issuer_must_not_sign_are_refused()
    {
        var good = Request(_deviceKey.ExportSubjectPublicKeyInfo());
        using var weak = RSA.Create(1024);
        using var p224 = ECDsa.Create(ECCurve.CreateFromFriendlyName("secp224r1"));
        var offCurve = _deviceKey.ExportSubjectPublicKeyInfo();
        offCurve[^1] ^= 0x01;
        var bad = new[]
        {
            good with { TenantId = "tenant-b" },
            good with { DeviceId = good.DeviceId.ToUpperInvariant() },
            good with { DeviceId = good.DeviceId + "00" },
            good with { Lifetime = TimeSpan.Zero },
            good with { NotBeforeSkew = TimeSpan.FromMinutes(-1) },
            good with { CrlDistributionPoint = new Uri("ldap://crl.example.test/") },
            good with { SubjectPublicKeyInfo = [0x30, 0x00] },
            good with { SubjectPublicKeyInfo = weak.ExportSubjectPublicKeyInfo() },
            good with { SubjectPublicKeyInfo = p224.ExportSubjectPublicKeyInfo() },
        };
        foreach (var request in bad)
            Assert.Throws<ArgumentException>(() => _issuer.Issue(_ca, request));
        Assert.Contains("not on the curve",
            Assert.Throws<ArgumentException>(() => _issuer.Issue(_ca, good with { SubjectPublicKeyInfo = offCurve })).Message);
    }

    [Fact]
    public async Task Openssl_verifies_the_chain_and_reads_the_client_certificate_extensions()
    {
        var openssl = OpenSsl();
        var issued = _issuer.Issue(_ca, Request(_deviceKey.ExportSubjectPublicKeyInfo()));
        var dir = Directory.CreateTempSubdirectory("certs-openssl-");
        try
        {
            var root = Pem(dir, "root.pem", Material.RootCertificate);
            var issuing = Pem(dir, "issuing.pem", Material.IssuingCertificate);
            var device = Pem(dir, "device.pem", issued.Der);
            var verify = await ProcessRunner.RunAsync(openssl,
                ["verify", "-attime", Now.ToUnixTimeSeconds().ToString(), "-purpose", "sslclient",
                 "-CAfile", root, "-untrusted", issuing, device], TimeSpan.FromSeconds(20));
            Assert.True(verify.ExitCode == 0, verify.StandardOutput + verify.StandardError);

            var text = (await ProcessRunner.RunAsync(openssl, ["x509", "-in", device, "-noout", "-text"], TimeSpan.FromSeconds(20)))
                .EnsureSuccess("openssl x509").StandardOutput;
            Assert.Contains("URI:urn:iotidentity:device:", text);
            Assert.Contains("TLS Web Client Authentication", text);
            Assert.Contains(CrlUrl.AbsoluteUri, text);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static string Pem(DirectoryInfo dir, string name, byte[] der)
    {
        var path = Path.Combine(dir.FullName, name);
        File.WriteAllText(path, PemEncoding.WriteString("CERTIFICATE", der));
        return path;
    }
}
