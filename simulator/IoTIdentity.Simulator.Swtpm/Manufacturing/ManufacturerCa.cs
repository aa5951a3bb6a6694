using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace IoTIdentity.Simulator.Swtpm.Manufacturing;

/// <summary>
/// A “TPM manufacturer”: a root, optionally an intermediate, and EK certificates issued for public keys that
/// come from elsewhere (a software TPM, a generated key). The simulator's factory keeps one in its fleet directory
/// (<see cref="LoadOrCreate"/>); the attestation and service tests create throw-away ones. The EK certificates
/// follow the TCG EK Credential Profile 2.x unless an <see cref="EkCertificateProfile"/> knob says otherwise.
/// </summary>
public sealed class ManufacturerCa : IDisposable
{
    /// <summary>tcg-kp-EKCertificate.</summary>
    public const string EkCertificateEku = "2.23.133.8.1";

    private readonly AsymmetricAlgorithm _rootKey;
    private readonly AsymmetricAlgorithm? _intermediateKey;
    private readonly X509Certificate2 _root;
    private readonly X509Certificate2? _intermediate;

    private ManufacturerCa(ManufacturerCaOptions options, AsymmetricAlgorithm rootKey, X509Certificate2 root,
        AsymmetricAlgorithm? intermediateKey, X509Certificate2? intermediate)
    {
        Options = options;
        _rootKey = rootKey;
        _root = root;
        _intermediateKey = intermediateKey;
        _intermediate = intermediate;
    }

    /// <summary>Creates a CA with fresh keys.</summary>
    public static ManufacturerCa Create(ManufacturerCaOptions? options = null)
    {
        options ??= new ManufacturerCaOptions();
        DateTimeOffset notBefore = options.Now.AddDays(-1), notAfter = options.Now + options.CaLifetime;
        var rootKey = NewKey(options.EcdsaKeys);
        var root = CaRequest($"CN={options.Name} Root CA, O={options.Organization}", rootKey, pathLength: null).CreateSelfSigned(notBefore, notAfter);
        if (!options.WithIntermediate) return new ManufacturerCa(options, rootKey, root, null, null);
        var intermediateKey = NewKey(options.EcdsaKeys);
        var request = CaRequest($"CN={options.Name} EK Issuing CA, O={options.Organization}", intermediateKey, pathLength: 0);
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(root, true, false));
        using X509Certificate2 issued = request.Create(root.SubjectName, Signer(rootKey), notBefore, notAfter, NewSerial());
        return new ManufacturerCa(options, rootKey, root, intermediateKey, X509CertificateLoader.LoadCertificate(issued.RawData));
    }

    /// <summary>
    /// The CA kept in <paramref name="directory"/> (<c>manufacturer-root.pem</c> and its key, and the intermediate's
    /// pair when there is one; key files mode 0600), created with <paramref name="options"/> on first use so a later
    /// run issues from the same root. Options other than <see cref="ManufacturerCaOptions.Now"/> apply to creation only.
    /// </summary>
    public static ManufacturerCa LoadOrCreate(string directory, ManufacturerCaOptions? options = null)
    {
        options ??= new ManufacturerCaOptions();
        string rootPath = Path.Combine(directory, "manufacturer-root.pem"), intermediatePath = Path.Combine(directory, "manufacturer-intermediate.pem");
        if (File.Exists(rootPath))
        {
            var (rootKey, root) = Load(rootPath);
            var (intermediateKey, intermediate) = File.Exists(intermediatePath) ? Load(intermediatePath) : default;
            return new ManufacturerCa(options with { WithIntermediate = intermediate is not null, EcdsaKeys = rootKey is ECDsa },
                rootKey, root, intermediateKey, intermediate);
        }
        Directory.CreateDirectory(directory);
        var created = Create(options);
        if (created._intermediate is not null) Save(intermediatePath, created._intermediate, created._intermediateKey!);
        Save(rootPath, created._root, created._rootKey); // last: its presence means the CA is complete
        return created;
    }

    private static (AsymmetricAlgorithm Key, X509Certificate2 Certificate) Load(string certificatePath)
    {
        var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(certificatePath));
        var keyPem = File.ReadAllText(KeyPath(certificatePath));
        AsymmetricAlgorithm key = certificate.GetECDsaPublicKey() is { } ec ? Import(ec, ECDsa.Create(), keyPem) : Import(certificate.GetRSAPublicKey()!, RSA.Create(), keyPem);
        return (key, certificate);
    }

    private static AsymmetricAlgorithm Import(IDisposable publicKey, AsymmetricAlgorithm key, string pem)
    {
        publicKey.Dispose();
        key.ImportFromPem(pem);
        return key;
    }

    private static void Save(string certificatePath, X509Certificate2 certificate, AsymmetricAlgorithm key)
    {
        var keyPath = KeyPath(certificatePath);
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
    }

    private static string KeyPath(string certificatePath) => Path.ChangeExtension(certificatePath, ".key.pem");

    /// <summary>What this CA was created with.</summary>
    public ManufacturerCaOptions Options { get; }

    /// <summary>The root certificate, DER: what a verifier trusts.</summary>
    public byte[] RootDer => _root.RawData;

    /// <summary>The intermediates a device would present next to its EK certificate (empty without one).</summary>
    public IReadOnlyList<byte[]> IntermediatesDer => _intermediate is null ? [] : [_intermediate.RawData];

    /// <summary>Issues an EK certificate for an RSA EK public key (modulus and exponent).</summary>
    public byte[] IssueEkCertificate(RSAParameters ekPublic, EkCertificateProfile? profile = null)
    {
        using RSA key = RSA.Create(new RSAParameters { Modulus = ekPublic.Modulus, Exponent = ekPublic.Exponent });
        return Issue(new PublicKey(key), X509KeyUsageFlags.KeyEncipherment, profile ?? new EkCertificateProfile());
    }

    /// <summary>Issues an EK certificate for an ECC EK public key (curve and point).</summary>
    public byte[] IssueEkCertificate(ECParameters ekPublic, EkCertificateProfile? profile = null)
    {
        using ECDiffieHellman key = ECDiffieHellman.Create(new ECParameters { Curve = ekPublic.Curve, Q = ekPublic.Q });
        return Issue(new PublicKey(key), X509KeyUsageFlags.KeyAgreement, profile ?? new EkCertificateProfile());
    }

    /// <summary>
    /// A certificate for one of the manufacturer's signing keys (the key that signs ownership vouchers, say), issued like
    /// its EK certificates (by the intermediate, else the root) for digitalSignature only; the chain, signer first.
    /// </summary>
    public IReadOnlyList<byte[]> IssueSigningCertificate(ECDsa key, string subject = "CN=Ownership Voucher Signer")
    {
        X509Certificate2 issuer = _intermediate ?? _root;
        AsymmetricAlgorithm issuerKey = _intermediateKey ?? _rootKey;
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        using X509Certificate2 issued = request.Create(issuer.SubjectName, Signer(issuerKey), Options.Now.AddDays(-1), Options.Now.AddDays(3650), NewSerial());
        return [issued.RawData, .. IntermediatesDer];
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _rootKey.Dispose();
        _intermediateKey?.Dispose();
        _root.Dispose();
        _intermediate?.Dispose();
    }

    private byte[] Issue(PublicKey ekPublic, X509KeyUsageFlags defaultUsage, EkCertificateProfile profile)
    {
        X509Certificate2 issuer = _intermediate ?? _root;
        AsymmetricAlgorithm issuerKey = _intermediateKey ?? _rootKey;
        var request = new CertificateRequest(new X500DistinguishedName(profile.Subject), ekPublic, HashAlgorithmName.SHA256);
        var extensions = request.CertificateExtensions;
        extensions.Add(new X509BasicConstraintsExtension(profile.IsCa, false, 0, critical: true));
        extensions.Add(new X509KeyUsageExtension(profile.KeyUsage ?? defaultUsage, critical: true));
        if (profile.ExtendedKeyUsages is { } ekus)
            extensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection().With(ekus), critical: false));
        if (!profile.OmitSubjectAlternativeName)
            extensions.Add(new X509Extension("2.5.29.17", TpmSubjectAlternativeName(profile), profile.SanCritical));
        if (profile.IncludeSubjectDirectoryAttributes)
            extensions.Add(new X509Extension("2.5.29.9", TpmSpecificationAttributes(), profile.SubjectDirectoryAttributesCritical));
        extensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        foreach (X509Extension extra in profile.ExtraExtensions)
            extensions.Add(extra);

        using X509Certificate2 issued = request.Create(issuer.SubjectName, Signer(issuerKey),
            Options.Now + profile.NotBeforeOffset, Options.Now + profile.NotAfterOffset, NewSerial());
        if (profile.SerialEncoding == EkSerialEncoding.Canonical && !profile.CorruptSignature)
            return issued.RawData;
        return CertificateSurgery.Resign(issued.RawData, issuerKey, profile.SerialEncoding, profile.CorruptSignature);
    }

    /// <summary>The profile's SAN: one directoryName holding tcg-at-tpmManufacturer, -tpmModel and -tpmVersion, and the hardwareModuleName when the profile has one.</summary>
    private static byte[] TpmSubjectAlternativeName(EkCertificateProfile profile)
    {
        var name = new X500DistinguishedNameBuilder();
        if (profile.Manufacturer is { } manufacturer) name.Add("2.23.133.2.1", manufacturer, UniversalTagNumber.UTF8String);
        if (profile.Model is { } model) name.Add("2.23.133.2.2", model, UniversalTagNumber.UTF8String);
        if (profile.Version is { } version) name.Add("2.23.133.2.3", version, UniversalTagNumber.UTF8String);
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 4)))
                writer.WriteEncodedValue(name.Build().RawData);
            if (profile.HardwareModule is { } module)
            {
                using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0)))
                {
                    writer.WriteObjectIdentifier("1.3.6.1.5.5.7.8.4");
                    using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0)))
                    using (writer.PushSequence())
                    {
                        writer.WriteObjectIdentifier(module.Type);
                        writer.WriteOctetString(module.Serial);
                    }
                }
            }
        }
        return writer.Encode();
    }

    /// <summary>SubjectDirectoryAttributes with tcg-at-tpmSpecification: family "2.0", level 0, revision 138.</summary>
    private static byte[] TpmSpecificationAttributes()
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier("2.23.133.2.16");
            using (writer.PushSetOf())
            using (writer.PushSequence())
            {
                writer.WriteCharacterString(UniversalTagNumber.UTF8String, "2.0");
                writer.WriteInteger(0);
                writer.WriteInteger(138);
            }
        }
        return writer.Encode();
    }

    private static CertificateRequest CaRequest(string subject, AsymmetricAlgorithm key, int? pathLength)
    {
        var request = key is ECDsa ecdsa
            ? new CertificateRequest(subject, ecdsa, HashAlgorithmName.SHA256)
            : new CertificateRequest(subject, (RSA)key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, pathLength.HasValue, pathLength ?? 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request;
    }

    private static AsymmetricAlgorithm NewKey(bool ecdsa) => ecdsa ? ECDsa.Create(ECCurve.NamedCurves.nistP256) : RSA.Create(2048);

    internal static X509SignatureGenerator Signer(AsymmetricAlgorithm key) => key is ECDsa ecdsa
        ? X509SignatureGenerator.CreateForECDsa(ecdsa)
        : X509SignatureGenerator.CreateForRSA((RSA)key, RSASignaturePadding.Pkcs1);

    private static byte[] NewSerial()
    {
        byte[] serial = RandomNumberGenerator.GetBytes(16);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x40);
        return serial;
    }
}

file static class OidCollectionExtensions
{
    public static OidCollection With(this OidCollection collection, IEnumerable<string> oids)
    {
        foreach (string oid in oids) collection.Add(new Oid(oid));
        return collection;
    }
}
