using System.Security.Cryptography;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace IoTIdentity.DeviceAgent.Enrollment.Tls;

/// <summary>
/// BouncyCastle's TLS crypto for <see cref="TpmTlsClient"/>, except one operation: the broker's TLS 1.3
/// <c>CertificateVerify</c> under <c>ecdsa_secp256r1_sha256</c> with a P-256 key (what our service and the shipped
/// mosquitto present) is verified by .NET's <see cref="ECDsa"/>, i.e. OpenSSL, instead of BouncyCastle's managed EC
/// arithmetic. Every other scheme, key and operation stays BouncyCastle's. Same rule as BouncyCastle's verifier: the
/// certificate must allow digitalSignature, and the signature is the DER <c>ECDSA-Sig-Value</c> over SHA-256 of the
/// signed content, strictly encoded.
/// </summary>
/// <remarks>Why (BENCHMARKS.md, session 21): an agent checks one such signature per connection, mostly in a process
/// whose code is still cold. The first check in a fresh process costs ≈ 60 ms of CPU through BouncyCastle (its EC
/// arithmetic compiled on the way) against ≈ 22 ms here; warm, ≈ 256 against ≈ 206 µs. In the simulator's rotation
/// storm that verify was ≈ 6.5 % of the simulator's CPU, ≈ 1 % after.</remarks>
internal sealed class DeviceTlsCrypto() : BcTlsCrypto(new SecureRandom())
{
    /// <inheritdoc/>
    public override TlsCertificate CreateCertificate(short type, byte[] encoding) =>
        type == CertificateType.X509 ? new VerifyingCertificate(this, encoding) : base.CreateCertificate(type, encoding);

    private sealed class VerifyingCertificate(BcTlsCrypto crypto, byte[] encoding) : BcTlsCertificate(crypto, encoding)
    {
        public override Tls13Verifier CreateVerifier(int signatureScheme)
        {
            var algorithm = SubjectPublicKeyInfo.Algorithm;
            if (signatureScheme != SignatureScheme.ecdsa_secp256r1_sha256
                || !X9ObjectIdentifiers.IdECPublicKey.Equals(algorithm.Algorithm)
                || !SecObjectIdentifiers.SecP256r1.Equals(algorithm.Parameters as DerObjectIdentifier))
                return base.CreateVerifier(signatureScheme);
            ValidateKeyUsage(KeyUsage.DigitalSignature);
            var key = ECDsa.Create();
            try
            {
                key.ImportSubjectPublicKeyInfo(SubjectPublicKeyInfo.GetDerEncoded(), out _);
            }
            catch (CryptographicException e)
            {
                key.Dispose();
                throw new TlsFatalAlert(AlertDescription.bad_certificate, "the broker's certificate holds no valid P-256 public key", e);
            }
            return new Verifier(key);
        }
    }

    /// <summary>Collects the signed content, then checks the signature over its SHA-256 once (and releases the key).</summary>
    private sealed class Verifier(ECDsa key) : Tls13Verifier
    {
        private readonly MemoryStream _content = new();

        public Stream Stream => _content;

        public bool VerifySignature(byte[] signature)
        {
            using (key)
            {
                try
                {
                    // the handshake closes Stream before asking (TlsUtilities.Verify13CertificateVerify); ToArray still reads a closed MemoryStream
                    return key.VerifyData(_content.ToArray(), signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
                }
                catch (CryptographicException)
                {
                    return false;
                }
            }
        }
    }
}
