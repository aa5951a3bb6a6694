using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IoTIdentity.Simulator.Swtpm;
using IoTIdentity.TestKit;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.X509;
using static IoTIdentity.Provisioning.Certificates.Tests.TestAuthorities;

namespace IoTIdentity.Provisioning.Certificates.Tests;

public sealed class CrlBuilderTests : IDisposable
{
    private readonly IssuingCa _ca = LoadShared();
    private readonly RevokedCertificate[] _revoked;

    public CrlBuilderTests()
    {
        var issuer = new DeviceCertificateIssuer(Clock(), RandomNumberGenerator.Create());
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serials = Enumerable.Range(0, 3).Select(_ => issuer.Issue(_ca, Request(key.ExportSubjectPublicKeyInfo())).SerialNumber).ToArray();
        _revoked =
        [
            new(serials[0], Now.AddDays(-2), CrlReason.KeyCompromise),
            new(serials[1], Now.AddDays(-1), CrlReason.Superseded),
            new(serials[2], Now.AddHours(-1), CrlReason.Unspecified),
        ];
    }

    public void Dispose() => _ca.Dispose();

    [Fact]
    public void The_CRL_lists_the_revoked_serials_with_their_reasons_and_carries_number_and_AKI()
    {
        var der = new CrlBuilder(Clock()).Build(_ca, _revoked, 42, TimeSpan.FromDays(7));

        var crl = new X509CrlParser().ReadCrl(der);
        using var issuing = X509CertificateLoader.LoadCertificate(Material.IssuingCertificate);
        crl.Verify(new X509CertificateParser().ReadCertificate(Material.IssuingCertificate).GetPublicKey());
        Assert.Equal(2, crl.Version);
        Assert.Equal(new DateTime(2030, 1, 1, 12, 0, 0, DateTimeKind.Utc), crl.ThisUpdate.ToUniversalTime());
        Assert.Equal(new DateTime(2030, 1, 8, 12, 0, 0, DateTimeKind.Utc), crl.NextUpdate!.Value.ToUniversalTime());
        Assert.Equal(42, CrlNumber.GetInstance(Asn1Object.FromByteArray(crl.GetExtensionValue(X509Extensions.CrlNumber).GetOctets())).PositiveValue.IntValue);
        var aki = AuthorityKeyIdentifier.GetInstance(crl.GetExtensionValue(X509Extensions.AuthorityKeyIdentifier).GetOctets());
        Assert.Equal(issuing.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single().SubjectKeyIdentifier,
            Convert.ToHexString(aki.KeyIdentifier.GetOctets()));

        foreach (var revoked in _revoked)
        {
            var entry = crl.GetRevokedCertificate(new BigInteger(revoked.SerialNumber, 16));
            Assert.NotNull(entry);
            Assert.Equal(revoked.RevokedAt.AddMilliseconds(-500).UtcDateTime, entry.RevocationDate.ToUniversalTime());
            var reason = entry.GetExtensionValue(X509Extensions.ReasonCode);
            if (revoked.Reason == CrlReason.Unspecified)
                Assert.Null(reason);
            else
                Assert.Equal((int)revoked.Reason, DerEnumerated.GetInstance(Asn1Object.FromByteArray(reason.GetOctets())).IntValueExact);
        }
        Assert.Equal(3, crl.GetRevokedCertificates().Count);
    }

    [Fact]
    public void An_unspecified_reason_is_an_entry_without_extensions_not_an_empty_extension_list()
    {
        var der = new CrlBuilder(Clock()).Build(_ca, [_revoked[2]], 1, TimeSpan.FromDays(1));

        var tbs = new AsnReader(der, AsnEncodingRules.DER).ReadSequence().ReadSequence();
        tbs.ReadInteger(); // version
        tbs.ReadSequence(); // signature
        tbs.ReadSequence(); // issuer
        tbs.ReadUtcTime(); // thisUpdate
        tbs.ReadUtcTime(); // nextUpdate
        var entry = tbs.ReadSequence().ReadSequence();
        Assert.Equal(_revoked[2].SerialNumber, Convert.ToHexStringLower(entry.ReadIntegerBytes().Span));
        entry.ReadUtcTime();
        Assert.False(entry.HasData);
    }

    [Fact]
    public void An_empty_CRL_is_valid()
    {
        var der = new CrlBuilder(Clock()).Build(_ca, [], 1, TimeSpan.FromDays(1));
        var crl = new X509CrlParser().ReadCrl(der);
        crl.Verify(new X509CertificateParser().ReadCertificate(Material.IssuingCertificate).GetPublicKey());
        Assert.Null(crl.GetRevokedCertificates());
    }

    [Fact]
    public void Duplicate_serials_and_bad_arguments_are_refused()
    {
        var builder = new CrlBuilder(Clock());
        Assert.Throws<ArgumentException>(() => builder.Build(_ca, [_revoked[0], _revoked[0] with { Reason = CrlReason.Superseded }], 1, TimeSpan.FromDays(1)));
        Assert.Throws<ArgumentException>(() => builder.Build(_ca, [_revoked[0] with { SerialNumber = "xyz" }], 1, TimeSpan.FromDays(1)));
        Assert.Throws<ArgumentException>(() => builder.Build(_ca, [_revoked[0] with { Reason = (CrlReason)8 }], 1, TimeSpan.FromDays(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => builder.Build(_ca, _revoked, -1, TimeSpan.FromDays(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => builder.Build(_ca, _revoked, 1, TimeSpan.Zero));
    }

    [Fact]
    public async Task Openssl_reads_the_CRL_verifies_its_signature_and_lists_the_serials_and_reasons()
    {
        var openssl = OpenSsl();
        var der = new CrlBuilder(Clock()).Build(_ca, _revoked, 42, TimeSpan.FromDays(7));
        var dir = Directory.CreateTempSubdirectory("crl-openssl-");
        try
        {
            var crlPath = Path.Combine(dir.FullName, "issuing.crl");
            File.WriteAllBytes(crlPath, der);
            var issuingPath = Path.Combine(dir.FullName, "issuing.pem");
            File.WriteAllText(issuingPath, PemEncoding.WriteString("CERTIFICATE", Material.IssuingCertificate));

            var result = (await ProcessRunner.RunAsync(openssl,
                ["crl", "-inform", "der", "-in", crlPath, "-noout", "-text", "-CAfile", issuingPath], TimeSpan.FromSeconds(20)))
                .EnsureSuccess("openssl crl");

            Assert.Contains("verify OK", result.StandardError + result.StandardOutput);
            var text = result.StandardOutput;
            Assert.Contains("X509v3 CRL Number", text);
            Assert.Contains("42", text);
            Assert.Contains("X509v3 Authority Key Identifier", text);
            foreach (var revoked in _revoked)
                Assert.Contains($"Serial Number: {revoked.SerialNumber.ToUpperInvariant()}", text);
            Assert.Contains("Key Compromise", text);
            Assert.Contains("Superseded", text);
            Assert.Equal(2, CountOf(text, "CRL Reason Code"));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static int CountOf(string text, string value) => (text.Length - text.Replace(value, "").Length) / value.Length;
}
