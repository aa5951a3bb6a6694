using IoTIdentity.Simulator.Swtpm.Manufacturing;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IoTIdentity.Attestation.Ek;
using IoTIdentity.TestKit;

namespace IoTIdentity.Attestation.Tests.Ek;

/// <summary>One RSA-keyed manufacturer (root + intermediate) and one RSA EK, shared: key generation is the slow part.</summary>
public sealed class ManufacturerFixture : IDisposable
{
    public ManufacturerCa Ca { get; } = ManufacturerCa.Create();
    public ManufacturerCa OtherCa { get; } = ManufacturerCa.Create(new ManufacturerCaOptions { Name = "Other Manufacturer" });
    public RSAParameters Ek { get; } = RSA.Create(2048).ExportParameters(false);

    public void Dispose()
    {
        Ca.Dispose();
        OtherCa.Dispose();
    }
}

public sealed class EkCertificateValidatorTests(ManufacturerFixture fixture) : IClassFixture<ManufacturerFixture>
{
    private ManufacturerCa Ca => fixture.Ca;

    private EkCertificateValidator Validator(EkCertificateQuirks quirks = EkCertificateQuirks.None, DateTimeOffset? at = null) =>
        new([Ca.RootDer], new FixedTimeProvider(at ?? Ca.Options.Now), quirks);

    private EkCertificateValidationResult Validate(EkCertificateProfile profile, EkCertificateQuirks quirks = EkCertificateQuirks.None)
    {
        using EkCertificateValidator validator = Validator(quirks);
        return validator.Validate(Ca.IssueEkCertificate(fixture.Ek, profile), Ca.IntermediatesDer);
    }

    [Fact]
    public void Ek_certificate_for_an_RSA_EK_from_a_trusted_manufacturer_is_accepted_with_its_key_and_TPM_identity()
    {
        EkCertificateValidationResult result = Validate(new EkCertificateProfile());

        Assert.True(result.IsValid, result.Detail);
        var key = Assert.IsType<EkRsaPublicKey>(result.Certificate.PublicKey);
        Assert.Equal(fixture.Ek.Modulus, key.Modulus);
        Assert.Equal(fixture.Ek.Exponent, key.Exponent);
        Assert.Equal(new TpmManufacturerInfo("id:53575450", "swtpm", "id:00020065"), result.Certificate.Manufacturer);
        Assert.Equal(0x53575450u, result.Certificate.Manufacturer!.ManufacturerId);
        Assert.Equal([Ca.IntermediatesDer[0], Ca.RootDer], result.Certificate.IssuerChain);
        Assert.Equal(EkCertificateQuirks.None, result.AcceptedQuirks);
    }

    [Fact]
    public void Ek_certificate_for_an_ECC_EK_under_an_ECDSA_root_is_accepted_with_its_curve_point()
    {
        using var ca = ManufacturerCa.Create(new ManufacturerCaOptions { EcdsaKeys = true, WithIntermediate = false });
        using var ek = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        ECParameters ekPublic = ek.ExportParameters(false);
        using var validator = new EkCertificateValidator([ca.RootDer], new FixedTimeProvider(ca.Options.Now));

        EkCertificateValidationResult result = validator.Validate(ca.IssueEkCertificate(ekPublic));

        Assert.True(result.IsValid, result.Detail);
        var key = Assert.IsType<EkEccPublicKey>(result.Certificate.PublicKey);
        Assert.Equal("1.2.840.10045.3.1.7", key.Curve.Oid.Value);
        Assert.Equal(ekPublic.Q.X, key.X);
        Assert.Equal(ekPublic.Q.Y, key.Y);
    }

    [Fact]
    public void Ek_certificate_from_an_untrusted_root_is_refused()
    {
        using EkCertificateValidator validator = Validator();

        var result = validator.Validate(fixture.OtherCa.IssueEkCertificate(fixture.Ek), fixture.OtherCa.IntermediatesDer);

        Assert.Equal(EkCertificateFailure.UntrustedRoot, result.Failure);
    }

    [Fact]
    public void Ek_certificate_without_its_intermediate_is_refused_as_untrusted()
    {
        using EkCertificateValidator validator = Validator();

        Assert.Equal(EkCertificateFailure.UntrustedRoot, validator.Validate(Ca.IssueEkCertificate(fixture.Ek)).Failure);
    }

    [Fact]
    public void Ek_certificate_that_expired_is_refused()
    {
        var result = Validate(new EkCertificateProfile { NotBeforeOffset = TimeSpan.FromDays(-10), NotAfterOffset = TimeSpan.FromDays(-1) });

        Assert.Equal(EkCertificateFailure.Expired, result.Failure);
    }

    [Fact]
    public void Ek_certificate_not_yet_valid_is_refused()
    {
        var result = Validate(new EkCertificateProfile { NotBeforeOffset = TimeSpan.FromDays(1), NotAfterOffset = TimeSpan.FromDays(10) });

        Assert.Equal(EkCertificateFailure.NotYetValid, result.Failure);
    }

    [Fact]
    public void Ek_certificate_whose_issuing_CA_expired_is_refused_as_expired()
    {
        using var ca = ManufacturerCa.Create(new ManufacturerCaOptions { CaLifetime = TimeSpan.FromDays(30) });
        byte[] certificate = ca.IssueEkCertificate(fixture.Ek, new EkCertificateProfile { NotAfterOffset = TimeSpan.FromDays(365) });
        using var validator = new EkCertificateValidator([ca.RootDer], new FixedTimeProvider(ca.Options.Now.AddDays(60)));

        Assert.Equal(EkCertificateFailure.Expired, validator.Validate(certificate, ca.IntermediatesDer).Failure);
    }

    [Fact]
    public void Ek_certificate_with_a_corrupted_signature_is_refused()
    {
        Assert.Equal(EkCertificateFailure.BadSignature, Validate(new EkCertificateProfile { CorruptSignature = true }).Failure);
    }

    [Fact]
    public void Ek_certificate_whose_extended_key_usage_lacks_the_EK_purpose_is_refused()
    {
        var result = Validate(new EkCertificateProfile { ExtendedKeyUsages = ["1.3.6.1.5.5.7.3.1"] });

        Assert.Equal(EkCertificateFailure.NotAnEkCertificate, result.Failure);
    }

    [Fact]
    public void Ek_certificate_for_an_RSA_key_without_key_encipherment_is_refused()
    {
        var result = Validate(new EkCertificateProfile { KeyUsage = X509KeyUsageFlags.DigitalSignature });

        Assert.Equal(EkCertificateFailure.NotAnEkCertificate, result.Failure);
    }

    [Fact]
    public void Ek_certificate_that_says_it_is_a_CA_is_refused()
    {
        Assert.Equal(EkCertificateFailure.IsCa, Validate(new EkCertificateProfile { IsCa = true }).Failure);
    }

    [Fact]
    public void Ek_certificate_for_a_1024_bit_RSA_key_is_refused_as_unsupported()
    {
        using EkCertificateValidator validator = Validator();
        byte[] certificate = Ca.IssueEkCertificate(RSA.Create(1024).ExportParameters(false));

        Assert.Equal(EkCertificateFailure.UnsupportedKey, validator.Validate(certificate, Ca.IntermediatesDer).Failure);
    }

    [Fact]
    public void Ek_certificate_that_is_not_a_certificate_is_refused_as_malformed()
    {
        using EkCertificateValidator validator = Validator();
        byte[] certificate = Ca.IssueEkCertificate(fixture.Ek);

        Assert.Equal(EkCertificateFailure.Malformed, validator.Validate(RandomNumberGenerator.GetBytes(300)).Failure);
        Assert.Equal(EkCertificateFailure.Malformed, validator.Validate(certificate[..^20], Ca.IntermediatesDer).Failure);
        Assert.Equal(EkCertificateFailure.Malformed, validator.Validate([]).Failure);
        Assert.Equal(EkCertificateFailure.Malformed, validator.Validate(certificate, [[0x30, 0x00]]).Failure);
    }

    public static TheoryData<EkCertificateQuirks, EkCertificateFailure> Quirks => new()
    {
        { EkCertificateQuirks.NonDerSerialNumber, EkCertificateFailure.Malformed },
        { EkCertificateQuirks.NegativeSerialNumber, EkCertificateFailure.Malformed },
        { EkCertificateQuirks.UnknownCriticalExtension, EkCertificateFailure.UnsupportedCriticalExtension },
        { EkCertificateQuirks.MissingExtendedKeyUsage, EkCertificateFailure.NotAnEkCertificate },
        { EkCertificateQuirks.NonCriticalSanWithEmptySubject, EkCertificateFailure.Malformed },
    };

    [Theory]
    [MemberData(nameof(Quirks))]
    public void Ek_certificate_with_a_quirk_that_is_not_allowed_is_refused_with_its_reason(EkCertificateQuirks quirk, EkCertificateFailure failure)
    {
        var result = Validate(ProfileWith(quirk), EkCertificateQuirks.None);

        Assert.Equal(failure, result.Failure);
    }

    [Theory]
    [MemberData(nameof(Quirks))]
    public void Ek_certificate_with_an_allowed_quirk_is_accepted_and_the_quirk_reported(EkCertificateQuirks quirk, EkCertificateFailure failure)
    {
        _ = failure;
        var result = Validate(ProfileWith(quirk), quirk);

        Assert.True(result.IsValid, result.Detail);
        Assert.Equal(quirk, result.AcceptedQuirks);
        Assert.Equal(fixture.Ek.Modulus, Assert.IsType<EkRsaPublicKey>(result.Certificate.PublicKey).Modulus);
    }

    [Fact]
    public void Ek_certificate_needing_no_quirk_reports_none_even_when_all_are_allowed()
    {
        var all = (EkCertificateQuirks)~0;

        Assert.Equal(EkCertificateQuirks.None, Validate(new EkCertificateProfile(), all).AcceptedQuirks);
    }

    [Fact]
    public void Ek_certificate_with_a_non_DER_serial_and_a_bad_signature_is_refused_even_with_the_quirk()
    {
        var profile = new EkCertificateProfile { SerialEncoding = EkSerialEncoding.NonMinimal, CorruptSignature = true };

        Assert.Equal(EkCertificateFailure.BadSignature, Validate(profile, EkCertificateQuirks.NonDerSerialNumber).Failure);
    }

    [Fact]
    public void Ek_certificate_validation_is_safe_to_run_concurrently()
    {
        using EkCertificateValidator validator = Validator();
        byte[] good = Ca.IssueEkCertificate(fixture.Ek);
        byte[] expired = Ca.IssueEkCertificate(fixture.Ek, new EkCertificateProfile { NotAfterOffset = TimeSpan.FromDays(-1), NotBeforeOffset = TimeSpan.FromDays(-2) });

        var results = new EkCertificateValidationResult[64];
        Parallel.For(0, results.Length, i => results[i] = validator.Validate(i % 2 == 0 ? good : expired, Ca.IntermediatesDer));

        for (int i = 0; i < results.Length; i++)
            Assert.Equal(i % 2 == 0 ? null : EkCertificateFailure.Expired, results[i].Failure);
    }

    private static EkCertificateProfile ProfileWith(EkCertificateQuirks quirk) => quirk switch
    {
        EkCertificateQuirks.NonDerSerialNumber => new() { SerialEncoding = EkSerialEncoding.NonMinimal },
        EkCertificateQuirks.NegativeSerialNumber => new() { SerialEncoding = EkSerialEncoding.Negative },
        EkCertificateQuirks.UnknownCriticalExtension => new() { SubjectDirectoryAttributesCritical = true },
        EkCertificateQuirks.MissingExtendedKeyUsage => new() { ExtendedKeyUsages = null },
        EkCertificateQuirks.NonCriticalSanWithEmptySubject => new() { SanCritical = false },
        _ => throw new ArgumentOutOfRangeException(nameof(quirk)),
    };
}
