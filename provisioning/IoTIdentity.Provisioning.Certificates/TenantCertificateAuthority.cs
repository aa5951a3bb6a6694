using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.X509;
using X509Certificate = Org.BouncyCastle.X509.X509Certificate;

namespace IoTIdentity.Provisioning.Certificates;

/// <summary>
/// Creates a tenant's certificate authority: a generated root (ECDSA P-384, pathLen 1) and issuing CA (ECDSA P-256,
/// pathLen 0), or an issuing CA the owner brings. Keys are sealed with the key ring at once; the result is
/// <see cref="TenantCaMaterial"/> for the tenant's grain to persist.
/// </summary>
/// <remarks>
/// Serial numbers and envelope nonces come from the injected generator; the EC key pairs come from the platform
/// (OpenSSL) generator, because a CA key should never depend on a generator a test can replace.
/// </remarks>
public sealed class TenantCertificateAuthority
{
    private const string RootCommonName = "IoTIdentity Root CA";
    private const string IssuingCommonName = "IoTIdentity Issuing CA";
    private readonly KeyEncryptionKeyRing _keyRing;
    private readonly TimeProvider _clock;
    private readonly RandomNumberGenerator _random;

    /// <summary>Creates the authority.</summary>
    /// <param name="keyRing">Seals the generated or imported private keys.</param>
    /// <param name="clock">Sets notBefore/notAfter and the time an imported chain is validated at.</param>
    /// <param name="random">Serial numbers (and, through the ring, nonces).</param>
    public TenantCertificateAuthority(KeyEncryptionKeyRing keyRing, TimeProvider clock, RandomNumberGenerator random)
    {
        _keyRing = keyRing ?? throw new ArgumentNullException(nameof(keyRing));
        _clock = clock ?? throw new ArgumentNullException(nameof(clock));
        _random = random ?? throw new ArgumentNullException(nameof(random));
    }

    /// <summary>
    /// Generates a root CA (O=tenantId, CN=IoTIdentity Root CA; P-384, ecdsa-with-SHA384; basicConstraints critical
    /// cA pathLen 1; keyUsage critical keyCertSign|cRLSign; SKI) and an issuing CA under it (CN=IoTIdentity Issuing CA;
    /// P-256; pathLen 0; the same key usage; SKI and AKI), and seals both keys.
    /// </summary>
    /// <param name="tenantId">The tenant: 1–64 characters, no control characters.</param>
    /// <param name="options">Lifetimes; <see cref="TenantCaOptions.Default"/> when null.</param>
    public TenantCaMaterial Create(string tenantId, TenantCaOptions? options = null)
    {
        TenantIds.Validate(tenantId);
        options ??= TenantCaOptions.Default;
        if (options.RootLifetime <= TimeSpan.Zero || options.IssuingLifetime <= TimeSpan.Zero || options.Backdate < TimeSpan.Zero)
            throw new ArgumentException("Lifetimes must be positive and the backdate not negative.", nameof(options));

        var now = X509Building.WholeSeconds(_clock.GetUtcNow());
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var rootName = X509Building.Name(RootCommonName, tenantId);
        var rootSpki = SubjectPublicKeyInfo.GetInstance(rootKey.ExportSubjectPublicKeyInfo());
        var rootKeyId = X509Building.KeyIdentifier(rootSpki);

        var generator = new X509V3CertificateGenerator();
        generator.SetSerialNumber(SerialNumbers.Next(_random).Value);
        generator.SetIssuerDN(rootName);
        generator.SetSubjectDN(rootName);
        generator.SetNotBefore((now - options.Backdate).UtcDateTime);
        generator.SetNotAfter((now + options.RootLifetime).UtcDateTime);
        generator.SetSubjectPublicKeyInfo(rootSpki);
        generator.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(1));
        generator.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(KeyUsage.KeyCertSign | KeyUsage.CrlSign));
        generator.AddExtension(X509Extensions.SubjectKeyIdentifier, false, rootKeyId);
        var root = generator.Generate(new DotNetEcdsaSignatureFactory(rootKey));

        using var issuingKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var issuing = CreateIssuingCertificate(root, rootKey, tenantId, issuingKey, options, now);

        return new TenantCaMaterial(tenantId, root.GetEncoded(), issuing.GetEncoded(),
            Seal(rootKey, KeyPurpose.TenantRootCa(tenantId)), Seal(issuingKey, KeyPurpose.TenantIssuingCa(tenantId)));
    }

    /// <summary>
    /// Replaces the issuing CA of a generated tenant CA (before it expires, or after its key is suspected): a new P-256
    /// key and certificate signed by the existing root, whose key is opened for the purpose and zeroed afterwards.
    /// </summary>
    /// <param name="material">The current material; it must hold the root key.</param>
    /// <param name="options">Lifetimes (only the issuing lifetime and backdate apply).</param>
    public TenantCaMaterial RenewIssuingCa(TenantCaMaterial material, TenantCaOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(material);
        if (material.ProtectedRootKey is null)
            throw new InvalidOperationException($"Tenant '{material.TenantId}' brought its own CA; its owner holds the root key.");
        options ??= TenantCaOptions.Default;
        var root = new X509CertificateParser().ReadCertificate(material.RootCertificate);
        using var rootKey = OpenKey(material.ProtectedRootKey, KeyPurpose.TenantRootCa(material.TenantId));
        using var issuingKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var issuing = CreateIssuingCertificate(root, rootKey, material.TenantId, issuingKey, options,
            X509Building.WholeSeconds(_clock.GetUtcNow()));
        return material with
        {
            IssuingCertificate = issuing.GetEncoded(),
            ProtectedIssuingKey = Seal(issuingKey, KeyPurpose.TenantIssuingCa(material.TenantId)),
        };
    }

    /// <summary>
    /// Accepts an issuing CA the owner brings. Checks, in order: both certificates parse
    /// (<see cref="CaImportFailure.MalformedCertificate"/>); the root is self-issued with cA=TRUE, the issuing certificate
    /// has cA=TRUE and a key usage with keyCertSign and cRLSign (<see cref="CaImportFailure.NotACertificateAuthority"/>);
    /// the issuing key is ECDSA P-256 or P-384 (<see cref="CaImportFailure.UnsupportedKey"/>); the private key parses
    /// (<see cref="CaImportFailure.MalformedPrivateKey"/>) and is the issuing certificate's key
    /// (<see cref="CaImportFailure.KeyMismatch"/>); the issuing certificate chains directly to the root at the injected
    /// time (<see cref="CaImportFailure.NotTimeValid"/>, else <see cref="CaImportFailure.DoesNotChain"/>).
    /// </summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="rootCertificateDer">The owner's root (trust anchor); its key stays with the owner.</param>
    /// <param name="issuingCertificateDer">The issuing CA certificate, issued directly by that root.</param>
    /// <param name="issuingPrivateKeyPkcs8">The issuing CA's private key (PKCS#8); the caller should zero it afterwards.</param>
    /// <exception cref="CaImportException">A check failed.</exception>
    public TenantCaMaterial Import(string tenantId, byte[] rootCertificateDer, byte[] issuingCertificateDer,
        ReadOnlySpan<byte> issuingPrivateKeyPkcs8)
    {
        TenantIds.Validate(tenantId);
        ArgumentNullException.ThrowIfNull(rootCertificateDer);
        ArgumentNullException.ThrowIfNull(issuingCertificateDer);
        using var root = LoadForImport(rootCertificateDer, "root");
        using var issuing = LoadForImport(issuingCertificateDer, "issuing");
        using var issuingKey = OwnerIssuingCa.Check(root, issuing, issuingPrivateKeyPkcs8, _clock.GetUtcNow());
        return new TenantCaMaterial(tenantId, root.RawData, issuing.RawData, null,
            Seal(issuingKey, KeyPurpose.TenantIssuingCa(tenantId)));
    }

    /// <summary>Re-seals whichever keys in <paramref name="material"/> are not under the ring's current KEK.</summary>
    /// <param name="material">The persisted material.</param>
    /// <returns>The same instance when nothing needed re-wrapping, else the updated material to persist.</returns>
    public TenantCaMaterial Rewrap(TenantCaMaterial material)
    {
        ArgumentNullException.ThrowIfNull(material);
        var issuing = ProtectedKey.Decode(material.ProtectedIssuingKey);
        var root = material.ProtectedRootKey is null ? null : ProtectedKey.Decode(material.ProtectedRootKey);
        if (!_keyRing.NeedsRewrap(issuing) && (root is null || !_keyRing.NeedsRewrap(root))) return material;
        return material with
        {
            ProtectedIssuingKey = _keyRing.Rewrap(issuing, KeyPurpose.TenantIssuingCa(material.TenantId)).Encode(),
            ProtectedRootKey = root is null ? null : _keyRing.Rewrap(root, KeyPurpose.TenantRootCa(material.TenantId)).Encode(),
        };
    }

    private X509Certificate CreateIssuingCertificate(X509Certificate root, ECDsa rootKey, string tenantId,
        ECDsa issuingKey, TenantCaOptions options, DateTimeOffset now)
    {
        var notAfter = now + options.IssuingLifetime;
        var rootNotAfter = new DateTimeOffset(root.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        if (notAfter > rootNotAfter) notAfter = rootNotAfter;
        var spki = SubjectPublicKeyInfo.GetInstance(issuingKey.ExportSubjectPublicKeyInfo());

        var generator = new X509V3CertificateGenerator();
        generator.SetSerialNumber(SerialNumbers.Next(_random).Value);
        generator.SetIssuerDN(root.SubjectDN);
        generator.SetSubjectDN(X509Building.Name(IssuingCommonName, tenantId));
        generator.SetNotBefore((now - options.Backdate).UtcDateTime);
        generator.SetNotAfter(notAfter.UtcDateTime);
        generator.SetSubjectPublicKeyInfo(spki);
        generator.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(0));
        generator.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(KeyUsage.KeyCertSign | KeyUsage.CrlSign));
        generator.AddExtension(X509Extensions.SubjectKeyIdentifier, false, X509Building.KeyIdentifier(spki));
        generator.AddExtension(X509Extensions.AuthorityKeyIdentifier, false,
            X509Building.AuthorityKeyIdentifier(X509Building.KeyIdentifierOf(root)));
        return generator.Generate(new DotNetEcdsaSignatureFactory(rootKey));
    }

    /// <summary>
    /// Generates a tenant's ownership key (ECDSA P-256), which signs the entries of its devices' ownership records:
    /// the private key sealed like the CA keys, and the public key (SubjectPublicKeyInfo DER) anyone may fetch.
    /// </summary>
    /// <param name="tenantId">The tenant.</param>
    public (string ProtectedPrivateKey, byte[] PublicKey) CreateOwnershipKey(string tenantId)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return (Seal(key, KeyPurpose.TenantOwnership(tenantId)), key.ExportSubjectPublicKeyInfo());
    }

    /// <summary>Opens a tenant's sealed ownership key (the caller disposes it).</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="protectedKey">The sealed key from <see cref="CreateOwnershipKey"/>.</param>
    public ECDsa OpenOwnershipKey(string tenantId, string protectedKey) => OpenKey(protectedKey, KeyPurpose.TenantOwnership(tenantId));

    /// <summary>
    /// Generates a tenant's token signing key (ECDSA P-256, for ES256 JWTs): the private key sealed like the CA keys, and
    /// the public key (SubjectPublicKeyInfo DER) its JWKS publishes.
    /// </summary>
    /// <param name="tenantId">The tenant.</param>
    public (string ProtectedPrivateKey, byte[] PublicKey) CreateTokenSigningKey(string tenantId)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return (Seal(key, KeyPurpose.TenantTokenSigning(tenantId)), key.ExportSubjectPublicKeyInfo());
    }

    /// <summary>Opens a tenant's sealed token signing key (the caller disposes it).</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="protectedKey">The sealed key from <see cref="CreateTokenSigningKey"/>.</param>
    public ECDsa OpenTokenSigningKey(string tenantId, string protectedKey) => OpenKey(protectedKey, KeyPurpose.TenantTokenSigning(tenantId));

    private string Seal(ECDsa key, string purpose)
    {
        var pkcs8 = key.ExportPkcs8PrivateKey();
        try
        {
            return _keyRing.Protect(pkcs8, purpose).Encode();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    private ECDsa OpenKey(string protectedKey, string purpose)
    {
        var pkcs8 = _keyRing.Unprotect(ProtectedKey.Decode(protectedKey), purpose);
        try
        {
            var key = ECDsa.Create();
            key.ImportPkcs8PrivateKey(pkcs8, out _);
            return key;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    private static X509Certificate2 LoadForImport(byte[] der, string which)
    {
        try
        {
            return X509CertificateLoader.LoadCertificate(der);
        }
        catch (CryptographicException e)
        {
            throw new CaImportException(CaImportFailure.MalformedCertificate, $"The {which} certificate does not parse: {e.Message}");
        }
    }
}
