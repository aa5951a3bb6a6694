using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IoTIdentity.DeviceAgent.Enrollment.Tls;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;
using CertificateRequest = System.Security.Cryptography.X509Certificates.CertificateRequest;

namespace IoTIdentity.Provisioning.Mqtt.Tests;

/// <summary>
/// The TPM TLS client's check of the broker's <c>CertificateVerify</c>: <see cref="DeviceTlsCrypto"/> verifies
/// <c>ecdsa_secp256r1_sha256</c> with OpenSSL, and must decide exactly as BouncyCastle's own verifier does, for every
/// signature a broker (or an attacker between it and the device) could send: valid ones, ones over other content or by
/// another key, every single-byte corruption of the DER, the raw (IEEE P1363) form, trailing bytes, the high-S twin,
/// and zero or out-of-range r and s. Keys and schemes it does not take over go to BouncyCastle unchanged.
/// </summary>
public sealed class DeviceTlsCryptoTests
{
    private static readonly BcTlsCrypto Oracle = new(new SecureRandom());
    private static readonly DeviceTlsCrypto Crypto = new();
    private static readonly byte[] P256Order = Convert.FromHexString("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551");

    [Fact]
    public void Every_signature_form_is_decided_as_BouncyCastle_decides_it_and_only_the_valid_ones_pass()
    {
        var random = new Random(21);
        for (var trial = 0; trial < 12; trial++)
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var certificate = Certificate(key, X509KeyUsageFlags.DigitalSignature);
            var content = new byte[random.Next(0, 300)];
            random.NextBytes(content);
            var signature = key.SignData(content, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

            Assert.True(Decide(certificate, content, signature));
            var otherContent = (byte[])content.Clone();
            if (otherContent.Length > 0) otherContent[random.Next(otherContent.Length)] ^= 1; else otherContent = [0];
            Assert.False(Decide(certificate, otherContent, signature));
            Assert.False(Decide(certificate, content, other.SignData(content, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)));
            Assert.False(Decide(certificate, content, key.SignData(content, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)));
            Assert.False(Decide(certificate, content, [.. signature, 0]));
            Assert.False(Decide(certificate, content, []));
            for (var i = 0; i < signature.Length; i++)
            {
                var corrupted = (byte[])signature.Clone();
                corrupted[i] ^= (byte)(1 << random.Next(8));
                Assert.False(Decide(certificate, content, corrupted), $"byte {i} corrupted");
            }

            var (r, s) = Integers(signature);
            Assert.True(Decide(certificate, content, Der(r, Subtract(P256Order, s))), "ECDSA's high-S twin is valid in TLS");
            Assert.False(Decide(certificate, content, Der([0], s)));
            Assert.False(Decide(certificate, content, Der(r, [0])));
            Assert.False(Decide(certificate, content, Der(P256Order, s)));
            Assert.False(Decide(certificate, content, Der(r, Add(s, P256Order))));
        }
    }

    [Fact]
    public void A_P256_key_under_ecdsa_secp256r1_sha256_is_verified_outside_BouncyCastle()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var verifier = Crypto.CreateCertificate(CertificateType.X509, Certificate(key, X509KeyUsageFlags.DigitalSignature)).CreateVerifier(SignatureScheme.ecdsa_secp256r1_sha256);
        Assert.Equal(typeof(DeviceTlsCrypto).Assembly, verifier.GetType().Assembly);
    }

    [Fact]
    public void A_certificate_that_does_not_allow_signing_is_refused_as_BouncyCastle_refuses_it()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var certificate = Certificate(key, X509KeyUsageFlags.KeyAgreement);
        Assert.Throws<TlsFatalAlert>(() => Oracle.CreateCertificate(CertificateType.X509, certificate).CreateVerifier(SignatureScheme.ecdsa_secp256r1_sha256));
        Assert.Throws<TlsFatalAlert>(() => Crypto.CreateCertificate(CertificateType.X509, certificate).CreateVerifier(SignatureScheme.ecdsa_secp256r1_sha256));
    }

    [Theory]
    [InlineData(SignatureScheme.ecdsa_secp384r1_sha384)]
    [InlineData(SignatureScheme.ecdsa_secp256r1_sha256)]
    public void A_P384_key_stays_with_BouncyCastle_under_either_scheme_and_gets_its_answer(int scheme)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var certificate = Certificate(key, X509KeyUsageFlags.DigitalSignature);
        var content = "the signed content of a TLS 1.3 CertificateVerify"u8.ToArray();
        var hash = scheme == SignatureScheme.ecdsa_secp384r1_sha384 ? HashAlgorithmName.SHA384 : HashAlgorithmName.SHA256;
        var signature = key.SignData(content, hash, DSASignatureFormat.Rfc3279DerSequence);
        // BouncyCastle does not tie ecdsa_secp256r1_sha256 to the P-256 curve: it accepts this signature under both, and so do we
        Assert.True(Verify(Oracle, certificate, content, signature, scheme));
        Assert.True(Verify(Crypto, certificate, content, signature, scheme));
        content[0] ^= 1;
        Assert.False(Verify(Crypto, certificate, content, signature, scheme));
    }

    /// <summary>Our verifier's answer, after asserting that BouncyCastle's own gives the same one.</summary>
    private static bool Decide(byte[] certificate, byte[] content, byte[] signature)
    {
        var ours = Verify(Crypto, certificate, content, signature, SignatureScheme.ecdsa_secp256r1_sha256);
        Assert.Equal(Verify(Oracle, certificate, content, signature, SignatureScheme.ecdsa_secp256r1_sha256), ours);
        return ours;
    }

    private static bool Verify(TlsCrypto crypto, byte[] certificate, byte[] content, byte[] signature, int scheme)
    {
        var verifier = crypto.CreateCertificate(CertificateType.X509, certificate).CreateVerifier(scheme);
        using (var output = verifier.Stream) output.Write(content);   // as the handshake does: the stream is closed before the signature is asked
        return verifier.VerifySignature(signature);
    }

    private static byte[] Certificate(ECDsa key, X509KeyUsageFlags usage)
    {
        var request = new CertificateRequest("CN=broker", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(usage, critical: true));
        using var certificate = request.Create(new X500DistinguishedName("CN=broker"), X509SignatureGenerator.CreateForECDsa(key),
            DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(1), [1]);
        return certificate.RawData;
    }

    private static (byte[] R, byte[] S) Integers(byte[] der)
    {
        var sequence = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
        return (sequence.ReadIntegerBytes().ToArray(), sequence.ReadIntegerBytes().ToArray());
    }

    private static byte[] Der(byte[] r, byte[] s)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteInteger(new System.Numerics.BigInteger(r, isUnsigned: true, isBigEndian: true));
            writer.WriteInteger(new System.Numerics.BigInteger(s, isUnsigned: true, isBigEndian: true));
        }
        return writer.Encode();
    }

    private static byte[] Subtract(byte[] a, byte[] b) => Bytes(Number(a) - Number(b));

    private static byte[] Add(byte[] a, byte[] b) => Bytes(Number(a) + Number(b));

    private static System.Numerics.BigInteger Number(byte[] bytes) => new(bytes, isUnsigned: true, isBigEndian: true);

    private static byte[] Bytes(System.Numerics.BigInteger n) => n.ToByteArray(isUnsigned: true, isBigEndian: true);
}
