using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;

namespace IoTIdentity.Provisioning.Certificates.Tests;

public sealed class CertificateSigningRequestValidatorTests
{
    private static readonly ECDsa P256 = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private static readonly RSA Rsa2048 = RSA.Create(2048);

    [Fact]
    public void A_valid_ECC_P256_request_for_the_certified_key_passes()
    {
        var csr = new CertificateRequest("CN=device", P256, HashAlgorithmName.SHA256).CreateSigningRequest();

        var result = CertificateSigningRequestValidator.Validate(csr, P256.ExportSubjectPublicKeyInfo());

        Assert.True(result.IsValid, result.Detail);
        Assert.Equal(P256.ExportSubjectPublicKeyInfo(), result.Request.SubjectPublicKeyInfo.ToArray());
        Assert.Equal("CN=device", result.Request.Subject.Name);
        Assert.Equal("1.2.840.10045.4.3.2", result.Request.SignatureAlgorithm);
        Assert.Equal(csr, result.Request.Der.ToArray());
    }

    [Fact]
    public void A_valid_ECC_P384_request_signed_with_SHA384_passes()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var csr = new CertificateRequest("CN=device", key, HashAlgorithmName.SHA384).CreateSigningRequest();
        var result = CertificateSigningRequestValidator.Validate(csr, key.ExportSubjectPublicKeyInfo());
        Assert.True(result.IsValid, result.Detail);
    }

    [Theory]
    [InlineData("pkcs1")]
    [InlineData("pss")]
    public void A_valid_RSA_request_passes(string padding)
    {
        var csr = new CertificateRequest("CN=device", Rsa2048, HashAlgorithmName.SHA256,
            padding == "pss" ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1).CreateSigningRequest();

        var result = CertificateSigningRequestValidator.Validate(csr, Rsa2048.ExportSubjectPublicKeyInfo());

        Assert.True(result.IsValid, result.Detail);
        Assert.Equal(padding == "pss" ? "1.2.840.113549.1.1.10" : "1.2.840.113549.1.1.11", result.Request.SignatureAlgorithm);
    }

    [Fact]
    public void The_expected_key_is_compared_in_canonical_DER()
    {
        var csr = new CertificateRequest("CN=device", Rsa2048, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).CreateSigningRequest();
        var withoutNull = RsaSpkiWithoutNullParameters(Rsa2048);
        Assert.NotEqual(Rsa2048.ExportSubjectPublicKeyInfo(), withoutNull);

        Assert.True(CertificateSigningRequestValidator.Validate(csr, withoutNull).IsValid);
    }

    [Fact]
    public void A_request_signed_by_another_key_is_a_key_mismatch()
    {
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = new CertificateRequest("CN=device", other, HashAlgorithmName.SHA256).CreateSigningRequest();

        var result = CertificateSigningRequestValidator.Validate(csr, P256.ExportSubjectPublicKeyInfo());

        Assert.Equal(CsrFailure.KeyMismatch, result.Failure);
    }

    // ---- the certified key passed in already imported: the same verdicts, one import fewer ----

    [Fact]
    public void A_valid_request_verifies_with_the_imported_certified_key()
    {
        var csr = new CertificateRequest("CN=device", P256, HashAlgorithmName.SHA256).CreateSigningRequest();
        using var imported = ECDsa.Create(P256.ExportParameters(false));

        var result = CertificateSigningRequestValidator.Validate(csr, P256.ExportSubjectPublicKeyInfo(), imported);

        Assert.True(result.IsValid, result.Detail);
    }

    [Fact]
    public void With_the_imported_key_a_corrupted_signature_is_still_a_bad_signature()
    {
        var csr = new CertificateRequest("CN=device", Rsa2048, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).CreateSigningRequest();
        csr[^1] ^= 0x01;
        using var imported = RSA.Create(Rsa2048.ExportParameters(false));

        Assert.Equal(CsrFailure.BadSignature, CertificateSigningRequestValidator.Validate(csr, Rsa2048.ExportSubjectPublicKeyInfo(), imported).Failure);
    }

    [Fact]
    public void With_the_imported_key_a_request_signed_by_another_key_is_still_a_key_mismatch()
    {
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = new CertificateRequest("CN=device", other, HashAlgorithmName.SHA256).CreateSigningRequest();
        using var imported = ECDsa.Create(P256.ExportParameters(false));

        Assert.Equal(CsrFailure.KeyMismatch, CertificateSigningRequestValidator.Validate(csr, P256.ExportSubjectPublicKeyInfo(), imported).Failure);
    }

    [Fact]
    public void An_imported_key_that_is_not_the_expected_key_is_refused_as_a_caller_bug()
    {
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = new CertificateRequest("CN=device", other, HashAlgorithmName.SHA256).CreateSigningRequest();

        var e = Assert.Throws<ArgumentException>(() => CertificateSigningRequestValidator.Validate(csr, P256.ExportSubjectPublicKeyInfo(), other));

        Assert.Contains("not the expected key", e.Message);
    }

    [Fact]
    public void A_request_with_a_corrupted_signature_has_a_bad_signature()
    {
        var csr = new CertificateRequest("CN=device", P256, HashAlgorithmName.SHA256).CreateSigningRequest();
        csr[^1] ^= 0x01;
        Assert.Equal(CsrFailure.BadSignature, CertificateSigningRequestValidator.Validate(csr, P256.ExportSubjectPublicKeyInfo()).Failure);
    }

    [Fact]
    public void A_request_whose_signed_content_was_altered_has_a_bad_signature()
    {
        var csr = new CertificateRequest("CN=device", Rsa2048, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).CreateSigningRequest();
        var at = csr.AsSpan().IndexOf("device"u8);
        csr[at] = (byte)'D';
        Assert.Equal(CsrFailure.BadSignature, CertificateSigningRequestValidator.Validate(csr, Rsa2048.ExportSubjectPublicKeyInfo()).Failure);
    }

    [Fact]
    public void A_signature_algorithm_for_the_other_key_type_is_a_bad_signature()
    {
        var (info, _, signature) = Split(new CertificateRequest("CN=device", P256, HashAlgorithmName.SHA256).CreateSigningRequest());
        var rsaAlgorithm = AlgorithmIdentifier("1.2.840.113549.1.1.11", withNull: true);
        Assert.Equal(CsrFailure.BadSignature,
            CertificateSigningRequestValidator.Validate(Assemble(info, rsaAlgorithm, signature), P256.ExportSubjectPublicKeyInfo()).Failure);
    }

    [Theory]
    [InlineData("1.2.840.10045.4.3.2")]
    [InlineData("1.2.840.10045.4.3.3")]
    public void An_ECDSA_algorithm_with_explicit_NULL_parameters_as_tpm2_openssl_writes_passes(string oid)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var hash = oid.EndsWith(".2", StringComparison.Ordinal) ? HashAlgorithmName.SHA256 : HashAlgorithmName.SHA384;
        var (info, _, signature) = Split(new CertificateRequest("CN=device", key, hash).CreateSigningRequest());

        var result = CertificateSigningRequestValidator.Validate(Assemble(info, AlgorithmIdentifier(oid, withNull: true), signature), key.ExportSubjectPublicKeyInfo());

        Assert.True(result.IsValid, result.Detail);
        Assert.Equal(oid, result.Request.SignatureAlgorithm);
    }

    public static TheoryData<string, byte[]> WrongParameters => new()
    {
        // ecdsa-with-SHA256 with a curve OID, an INTEGER, NULL followed by more, a NULL with content (not DER)
        { "1.2.840.10045.4.3.2", [0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07] },
        { "1.2.840.10045.4.3.2", [0x02, 0x01, 0x00] },
        { "1.2.840.10045.4.3.2", [0x05, 0x00, 0x05, 0x00] },
        { "1.2.840.10045.4.3.2", [0x05, 0x01, 0x00] },
        // sha256WithRSAEncryption with an INTEGER instead of NULL
        { "1.2.840.113549.1.1.11", [0x02, 0x01, 0x00] },
    };

    [Theory]
    [MemberData(nameof(WrongParameters))]
    public void A_signature_algorithm_with_parameters_other_than_absent_or_NULL_is_an_unsupported_algorithm(string oid, byte[] parameters)
    {
        var rsa = oid.StartsWith("1.2.840.113549", StringComparison.Ordinal);
        var csr = rsa
            ? new CertificateRequest("CN=device", Rsa2048, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).CreateSigningRequest()
            : new CertificateRequest("CN=device", P256, HashAlgorithmName.SHA256).CreateSigningRequest();
        var (info, _, signature) = Split(csr);
        var oidOnly = new AsnWriter(AsnEncodingRules.DER);
        oidOnly.WriteObjectIdentifier(oid);
        byte[] content = [.. oidOnly.Encode(), .. parameters];   // written by hand: AsnWriter refuses some of these
        byte[] algorithm = [0x30, (byte)content.Length, .. content];

        var result = CertificateSigningRequestValidator.Validate(Assemble(info, algorithm, signature),
            rsa ? Rsa2048.ExportSubjectPublicKeyInfo() : P256.ExportSubjectPublicKeyInfo());

        Assert.Equal(CsrFailure.UnsupportedAlgorithm, result.Failure);
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 0x30, 0x03, 0x02, 0x01, 0x00 })]
    [InlineData(new byte[] { 0x04, 0x02, 0xAB, 0xCD })]
    [InlineData(new byte[] { 0xDE, 0xAD, 0xBE, 0xEF, 0x00, 0x11, 0x22 })]
    public void Garbage_is_malformed(byte[] csr)
    {
        Assert.Equal(CsrFailure.Malformed, CertificateSigningRequestValidator.Validate(csr, P256.ExportSubjectPublicKeyInfo()).Failure);
    }

    [Fact]
    public void Trailing_bytes_after_a_valid_request_are_malformed()
    {
        var csr = new CertificateRequest("CN=device", P256, HashAlgorithmName.SHA256).CreateSigningRequest();
        Assert.Equal(CsrFailure.Malformed,
            CertificateSigningRequestValidator.Validate([.. csr, 0x00], P256.ExportSubjectPublicKeyInfo()).Failure);
    }

    [Fact]
    public void A_SHA1_signed_request_is_an_unsupported_algorithm()
    {
        var csr = new Pkcs10CertificationRequest("SHA1WITHRSA", new X509Name("CN=device"),
            PublicKeyFactory.CreateKey(Rsa2048.ExportSubjectPublicKeyInfo()), null,
            PrivateKeyFactory.CreateKey(Rsa2048.ExportPkcs8PrivateKey())).GetEncoded();
        Assert.Equal(CsrFailure.UnsupportedAlgorithm,
            CertificateSigningRequestValidator.Validate(csr, Rsa2048.ExportSubjectPublicKeyInfo()).Failure);
    }

    [Fact]
    public void A_request_for_a_key_on_an_unsupported_curve_is_an_unsupported_algorithm()
    {
        using var p224 = ECDsa.Create(ECCurve.CreateFromFriendlyName("secp224r1"));
        var csr = new CertificateRequest("CN=device", p224, HashAlgorithmName.SHA256).CreateSigningRequest();
        Assert.Equal(CsrFailure.UnsupportedAlgorithm, CertificateSigningRequestValidator.Validate(csr, P256.ExportSubjectPublicKeyInfo()).Failure);
    }

    [Fact]
    public void PSS_with_a_salt_other_than_the_hash_length_is_an_unsupported_algorithm()
    {
        var (info, _, signature) = Split(new CertificateRequest("CN=device", Rsa2048, HashAlgorithmName.SHA256,
            RSASignaturePadding.Pss).CreateSigningRequest());
        Assert.Equal(CsrFailure.UnsupportedAlgorithm, CertificateSigningRequestValidator.Validate(
            Assemble(info, PssAlgorithm(saltLength: 20), signature), Rsa2048.ExportSubjectPublicKeyInfo()).Failure);
        Assert.True(CertificateSigningRequestValidator.Validate(
            Assemble(info, PssAlgorithm(saltLength: 32), signature), Rsa2048.ExportSubjectPublicKeyInfo()).IsValid);
    }

    [Fact]
    public void An_expected_key_that_does_not_parse_is_a_caller_error()
    {
        var csr = new CertificateRequest("CN=device", P256, HashAlgorithmName.SHA256).CreateSigningRequest();
        Assert.Throws<ArgumentException>(() => CertificateSigningRequestValidator.Validate(csr, [0x30, 0x00]));
    }

    private static (byte[] Info, byte[] Algorithm, byte[] Signature) Split(byte[] csr)
    {
        var outer = new AsnReader(csr, AsnEncodingRules.DER).ReadSequence();
        return (outer.ReadEncodedValue().ToArray(), outer.ReadEncodedValue().ToArray(), outer.ReadBitString(out _));
    }

    private static byte[] Assemble(byte[] info, byte[] algorithm, byte[] signature)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteEncodedValue(info);
            writer.WriteEncodedValue(algorithm);
            writer.WriteBitString(signature);
        }
        return writer.Encode();
    }

    private static byte[] AlgorithmIdentifier(string oid, bool withNull)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(oid);
            if (withNull) writer.WriteNull();
        }
        return writer.Encode();
    }

    /// <summary>RSASSA-PSS with SHA-256 and MGF1-SHA-256, as RFC 4055 spells it, with the given salt length.</summary>
    private static byte[] PssAlgorithm(int saltLength)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier("1.2.840.113549.1.1.10");
            using (writer.PushSequence())
            {
                using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0)))
                    writer.WriteEncodedValue(AlgorithmIdentifier("2.16.840.1.101.3.4.2.1", withNull: true));
                using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 1)))
                using (writer.PushSequence())
                {
                    writer.WriteObjectIdentifier("1.2.840.113549.1.1.8");
                    writer.WriteEncodedValue(AlgorithmIdentifier("2.16.840.1.101.3.4.2.1", withNull: true));
                }
                using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 2)))
                    writer.WriteInteger(saltLength);
            }
        }
        return writer.Encode();
    }

    private static byte[] RsaSpkiWithoutNullParameters(RSA key)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteEncodedValue(AlgorithmIdentifier("1.2.840.113549.1.1.1", withNull: false));
            writer.WriteBitString(key.ExportRSAPublicKey());
        }
        return writer.Encode();
    }
}
