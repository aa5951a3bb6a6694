using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace IoTIdentity.Simulator.Factory;

/// <summary>
/// The simulator's own TPM "manufacturer": a P-256 root that issues EK certificates in the TCG EK Credential
/// Profile shape (empty subject, critical SAN with TPM manufacturer/model/version, tcg-kp-EKCertificate, key
/// usage by key type). Kept in the fleet directory (key file mode 0600) so a second run reuses the same fleet.
/// </summary>
public sealed class ManufacturerCa : IDisposable
{
    private const string EkCertificateEku = "2.23.133.8.1";
    private readonly X509Certificate2 _root;

    private ManufacturerCa(X509Certificate2 root) => _root = root;

    /// <summary>The root certificate (DER) a tenant's enrolment group trusts.</summary>
    public byte[] RootDer => _root.RawData;

    /// <summary>Loads the CA from <paramref name="directory"/>, creating it on first use.</summary>
    public static ManufacturerCa LoadOrCreate(string directory)
    {
        var certPath = Path.Combine(directory, "manufacturer-root.pem");
        var keyPath = Path.Combine(directory, "manufacturer-root.key.pem");
        if (File.Exists(certPath) && File.Exists(keyPath))
            return new ManufacturerCa(X509Certificate2.CreateFromPemFile(certPath, keyPath));
        Directory.CreateDirectory(directory);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=IoTIdentity Simulator TPM Manufacturer Root, O=IoTIdentity Simulator", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 1, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        var root = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(20));
        File.WriteAllText(certPath, root.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return new ManufacturerCa(root);
    }

    /// <summary>Issues an EK certificate for an ECC EK public key.</summary>
    public byte[] IssueEkCertificate(ECParameters ekPublic)
    {
        using var ek = ECDsa.Create(ekPublic);
        var request = new CertificateRequest(new X500DistinguishedName(""), ek, HashAlgorithmName.SHA256);
        return Issue(request, X509KeyUsageFlags.KeyAgreement);
    }

    /// <summary>Issues an EK certificate for an RSA EK public key.</summary>
    public byte[] IssueEkCertificate(RSAParameters ekPublic)
    {
        using var ek = RSA.Create(ekPublic);
        var request = new CertificateRequest(new X500DistinguishedName(""), ek, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return Issue(request, X509KeyUsageFlags.KeyEncipherment);
    }

    private byte[] Issue(CertificateRequest request, X509KeyUsageFlags usage)
    {
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(usage, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(EkCertificateEku)], false));
        request.CertificateExtensions.Add(new X509Extension("2.5.29.17", TpmSubjectAlternativeName(), critical: true));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_root, true, false));
        var now = DateTimeOffset.UtcNow;
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        serial[0] |= 0x01;
        using var certificate = request.Create(_root, now.AddDays(-1), now.AddYears(15), serial);
        return certificate.RawData;
    }

    /// <summary>SAN directoryName with tcg-at-tpmManufacturer, tcg-at-tpmModel, tcg-at-tpmVersion (one RDN each).</summary>
    private static byte[] TpmSubjectAlternativeName()
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 4, isConstructed: true)))
        using (writer.PushSequence())
        {
            foreach (var (oid, value) in new[] { ("2.23.133.2.1", "id:53494D55"), ("2.23.133.2.2", "iotid-sim"), ("2.23.133.2.3", "id:00010000") })
            {
                using (writer.PushSetOf())
                using (writer.PushSequence())
                {
                    writer.WriteObjectIdentifier(oid);
                    writer.WriteCharacterString(UniversalTagNumber.UTF8String, value);
                }
            }
        }
        return writer.Encode();
    }

    /// <inheritdoc/>
    public void Dispose() => _root.Dispose();
}
