using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.X509;

namespace IoTIdentity.Provisioning.Certificates;

/// <summary>
/// A tenant's issuing CA, loaded for signing: the certificate and its private key, decrypted once and held as a
/// .NET <see cref="ECDsa"/> (OpenSSL) until disposed. This is what the signing [StatelessWorker] keeps; pass it to
/// <see cref="DeviceCertificateIssuer.Issue"/> and <see cref="CrlBuilder.Build"/>. Use one instance per activation:
/// .NET does not document <see cref="ECDsa"/> as safe for concurrent use.
/// </summary>
public sealed class IssuingCa : IDisposable
{
    private readonly ECDsa _key;
    private readonly byte[] _certificateDer;
    private readonly byte[] _rootCertificateDer;

    private IssuingCa(string tenantId, ECDsa key, byte[] certificateDer, byte[] rootCertificateDer)
    {
        TenantId = tenantId;
        _key = key;
        _certificateDer = certificateDer;
        _rootCertificateDer = rootCertificateDer;
        var certificate = new X509CertificateParser().ReadCertificate(certificateDer);
        SubjectName = certificate.SubjectDN;
        KeyIdentifier = X509Building.KeyIdentifierOf(certificate);
        NotAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        SignatureFactory = new DotNetEcdsaSignatureFactory(key);
    }

    /// <summary>The tenant this CA issues for.</summary>
    public string TenantId { get; }

    /// <summary>The issuing CA certificate (DER), second in every chain a device receives.</summary>
    public ReadOnlyMemory<byte> CertificateDer => _certificateDer;

    /// <summary>The tenant root certificate (DER), the trust anchor.</summary>
    public ReadOnlyMemory<byte> RootCertificateDer => _rootCertificateDer;

    /// <summary>When the issuing certificate expires; device certificates never outlive it.</summary>
    public DateTimeOffset NotAfter { get; }

    internal X509Name SubjectName { get; }

    internal byte[] KeyIdentifier { get; }

    internal ISignatureFactory SignatureFactory { get; }

    /// <summary>
    /// Opens the issuing key in <paramref name="material"/> (sealed for <see cref="KeyPurpose.TenantIssuingCa"/>),
    /// checks that it is the issuing certificate's key, and zeroes the decrypted PKCS#8 bytes.
    /// </summary>
    /// <param name="material">The tenant's persisted CA material.</param>
    /// <param name="keyRing">The key-encryption keys.</param>
    /// <exception cref="KeyProtectionException">The key cannot be opened (unknown KEK, wrong KEK, tampering, wrong tenant).</exception>
    /// <exception cref="CryptographicException">The certificate does not parse, or the key is not the certificate's.</exception>
    public static IssuingCa Load(TenantCaMaterial material, KeyEncryptionKeyRing keyRing)
    {
        ArgumentNullException.ThrowIfNull(material);
        ArgumentNullException.ThrowIfNull(keyRing);
        TenantIds.Validate(material.TenantId, nameof(material));
        var pkcs8 = keyRing.Unprotect(ProtectedKey.Decode(material.ProtectedIssuingKey), KeyPurpose.TenantIssuingCa(material.TenantId));
        var key = ECDsa.Create();
        try
        {
            key.ImportPkcs8PrivateKey(pkcs8, out _);
            using (var certificate = X509CertificateLoader.LoadCertificate(material.IssuingCertificate))
            {
                if (!key.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(certificate.PublicKey.ExportSubjectPublicKeyInfo()))
                    throw new CryptographicException(
                        $"The issuing key of tenant '{material.TenantId}' is not the issuing certificate's key.");
            }
            return new IssuingCa(material.TenantId, key, material.IssuingCertificate.ToArray(), material.RootCertificate.ToArray());
        }
        catch
        {
            key.Dispose();
            throw;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    /// <summary>The issuing certificate as a .NET certificate (a new instance the caller disposes).</summary>
    public X509Certificate2 GetCertificate() => X509CertificateLoader.LoadCertificate(_certificateDer);

    /// <summary>
    /// Signs a device command's canonical bytes (ECDSA SHA-256, IEEE P1363 r||s), so the device can check it with the
    /// issuing CA certificate of its own chain. Only bytes with the command domain prefix <c>iotid-cmd-v1\n</c> are
    /// signed: the key must never sign something that could parse as a certificate, CRL or other protocol message.
    /// </summary>
    /// <exception cref="ArgumentException">The bytes are not a device command's canonical form.</exception>
    public byte[] SignDeviceCommand(ReadOnlySpan<byte> canonicalCommand)
    {
        if (!canonicalCommand.StartsWith("iotid-cmd-v1\n"u8)) throw new ArgumentException("not a device command", nameof(canonicalCommand));
        return _key.SignData(canonicalCommand, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    /// <summary>Releases the private key.</summary>
    public void Dispose() => _key.Dispose();

    /// <summary>The tenant only.</summary>
    public override string ToString() => $"IssuingCa({TenantId})";
}
