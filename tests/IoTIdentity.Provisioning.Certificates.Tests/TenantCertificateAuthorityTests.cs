using IoTIdentity.TestKit;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using static IoTIdentity.Provisioning.Certificates.Tests.TestAuthorities;

namespace IoTIdentity.Provisioning.Certificates.Tests;

public sealed class TenantCertificateAuthorityTests
{
    [Fact]
    public void A_generated_tenant_CA_is_a_P384_root_over_a_P256_issuing_CA_that_chains()
    {
        using var root = X509CertificateLoader.LoadCertificate(Material.RootCertificate);
        using var issuing = X509CertificateLoader.LoadCertificate(Material.IssuingCertificate);

        Assert.Equal(root.SubjectName.RawData, root.IssuerName.RawData);
        Assert.Equal("CN=IoTIdentity Root CA, O=tenant-a", root.Subject);
        Assert.Equal(384, root.GetECDsaPublicKey()!.KeySize);
        var rootConstraints = root.Extensions.OfType<X509BasicConstraintsExtension>().Single();
        Assert.True(rootConstraints.Critical && rootConstraints.CertificateAuthority && rootConstraints.HasPathLengthConstraint);
        Assert.Equal(1, rootConstraints.PathLengthConstraint);
        Assert.Equal(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, root.Extensions.OfType<X509KeyUsageExtension>().Single().KeyUsages);
        Assert.Equal("1.2.840.10045.4.3.3", root.SignatureAlgorithm.Value); // ecdsa-with-SHA384

        Assert.Equal(root.SubjectName.RawData, issuing.IssuerName.RawData);
        Assert.Equal(256, issuing.GetECDsaPublicKey()!.KeySize);
        var issuingConstraints = issuing.Extensions.OfType<X509BasicConstraintsExtension>().Single();
        Assert.True(issuingConstraints.CertificateAuthority);
        Assert.Equal(0, issuingConstraints.PathLengthConstraint);
        Assert.Equal(root.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single().SubjectKeyIdentifier,
            Convert.ToHexString(issuing.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().Single().KeyIdentifier!.Value.Span));

        Assert.Equal(Now.AddHours(-1).AddMilliseconds(-500).UtcDateTime, root.NotBefore.ToUniversalTime());
        Assert.Equal(Now.AddDays(7305).AddMilliseconds(-500).UtcDateTime, root.NotAfter.ToUniversalTime());
        Assert.Equal(Now.AddDays(1826).AddMilliseconds(-500).UtcDateTime, issuing.NotAfter.ToUniversalTime());

        var chain = Chain(Material.IssuingCertificate, Material.RootCertificate, Now);
        Assert.True(chain.Built, chain.Flags.ToString());
        Assert.Equal(2, chain.Length);
    }

    [Fact]
    public void The_generated_keys_are_sealed_for_their_tenant_and_role_and_open_with_the_ring()
    {
        using var ring = Ring();
        var issuingKey = ring.Unprotect(ProtectedKey.Decode(Material.ProtectedIssuingKey), KeyPurpose.TenantIssuingCa(TenantId));
        var rootKey = ring.Unprotect(ProtectedKey.Decode(Material.ProtectedRootKey!), KeyPurpose.TenantRootCa(TenantId));
        using var issuing = X509CertificateLoader.LoadCertificate(Material.IssuingCertificate);
        using var issuingEcdsa = ECDsa.Create();
        issuingEcdsa.ImportPkcs8PrivateKey(issuingKey, out _);
        Assert.Equal(issuing.PublicKey.ExportSubjectPublicKeyInfo(), issuingEcdsa.ExportSubjectPublicKeyInfo());
        Assert.NotEqual(issuingKey, rootKey);
    }

    [Fact]
    public void Loading_fails_with_the_typed_error_when_the_material_is_relabelled_for_another_tenant()
    {
        using var ring = Ring();
        var e = Assert.Throws<KeyProtectionException>(() => IssuingCa.Load(Material with { TenantId = "tenant-b" }, ring));
        Assert.Equal(KeyProtectionFailure.AuthenticationFailed, e.Failure);
    }

    [Fact]
    public void Loading_fails_when_the_root_key_is_stored_in_the_issuing_slot()
    {
        using var ring = Ring();
        var e = Assert.Throws<KeyProtectionException>(() =>
            IssuingCa.Load(Material with { ProtectedIssuingKey = Material.ProtectedRootKey! }, ring));
        Assert.Equal(KeyProtectionFailure.AuthenticationFailed, e.Failure);
    }

    [Fact]
    public void Loading_fails_under_the_wrong_key_encryption_key()
    {
        using var wrong = Ring("kek-1", 0x33);
        Assert.Equal(KeyProtectionFailure.AuthenticationFailed,
            Assert.Throws<KeyProtectionException>(() => IssuingCa.Load(Material, wrong)).Failure);
    }

    [Fact]
    public void Rewrapping_after_a_KEK_rotation_moves_both_keys_to_the_new_KEK_and_the_CA_still_loads()
    {
        using var rotated = Ring("kek-2", 0x22, Kek("kek-1"));
        var authority = Authority(rotated);

        var rewrapped = authority.Rewrap(Material);

        Assert.Equal("kek-2", ProtectedKey.Decode(rewrapped.ProtectedIssuingKey).KeyId);
        Assert.Equal("kek-2", ProtectedKey.Decode(rewrapped.ProtectedRootKey!).KeyId);
        Assert.Same(rewrapped, authority.Rewrap(rewrapped));
        using var onlyNew = Ring("kek-2", 0x22);
        using var ca = IssuingCa.Load(rewrapped, onlyNew);
        Assert.Equal(TenantId, ca.TenantId);
    }

    [Fact]
    public void Renewing_the_issuing_CA_gives_a_new_key_under_the_same_root()
    {
        using var ring = Ring();
        var later = Now.AddYears(4);
        var renewed = Authority(ring, later).RenewIssuingCa(Material);

        Assert.Same(Material.RootCertificate, renewed.RootCertificate);
        Assert.NotEqual(Material.ProtectedIssuingKey, renewed.ProtectedIssuingKey);
        var chain = Chain(renewed.IssuingCertificate, renewed.RootCertificate, later);
        Assert.True(chain.Built, chain.Flags.ToString());
        using var ca = IssuingCa.Load(renewed, ring);
    }

    [Fact]
    public void An_owner_brought_issuing_CA_is_accepted_and_signs_certificates_that_chain_to_the_owner_root()
    {
        using var owner = new OwnerCa(Now);
        using var ring = Ring();

        var material = Authority(ring).Import(TenantId, owner.Root.RawData, owner.Issuing.RawData, owner.IssuingPkcs8);

        Assert.Null(material.ProtectedRootKey);
        Assert.Equal(owner.Root.RawData, material.RootCertificate);
        using var ca = IssuingCa.Load(material, ring);
        using var deviceKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var issued = new DeviceCertificateIssuer(Clock(), RandomNumberGenerator.Create())
            .Issue(ca, Request(deviceKey.ExportSubjectPublicKeyInfo()));
        var chain = Chain(issued.Der, owner.Root.RawData, Now, owner.Issuing.RawData);
        Assert.True(chain.Built, chain.Flags.ToString());
        Assert.Throws<InvalidOperationException>(() => Authority(ring).RenewIssuingCa(material));
    }

    [Fact]
    public void An_owner_brought_issuing_CA_that_does_not_chain_to_the_given_root_is_refused()
    {
        using var owner = new OwnerCa(Now);
        using var stranger = new OwnerCa(Now);
        using var ring = Ring();

        var e = Assert.Throws<CaImportException>(() =>
            Authority(ring).Import(TenantId, stranger.Root.RawData, owner.Issuing.RawData, owner.IssuingPkcs8));

        Assert.Equal(CaImportFailure.DoesNotChain, e.Failure);
    }

    [Fact]
    public void An_owner_brought_private_key_that_is_not_the_issuing_key_is_refused()
    {
        using var owner = new OwnerCa(Now);
        using var ring = Ring();
        Assert.Equal(CaImportFailure.KeyMismatch, Assert.Throws<CaImportException>(() =>
            Authority(ring).Import(TenantId, owner.Root.RawData, owner.Issuing.RawData, owner.RootKey.ExportPkcs8PrivateKey())).Failure);
    }

    [Fact]
    public void An_owner_brought_issuing_certificate_that_is_not_a_CA_is_refused()
    {
        using var owner = new OwnerCa(Now, issuingIsCa: false);
        using var ring = Ring();
        Assert.Equal(CaImportFailure.NotACertificateAuthority, Assert.Throws<CaImportException>(() =>
            Authority(ring).Import(TenantId, owner.Root.RawData, owner.Issuing.RawData, owner.IssuingPkcs8)).Failure);
    }

    [Fact]
    public void An_owner_brought_issuing_certificate_without_key_usage_is_refused()
    {
        using var owner = new OwnerCa(Now, issuingKeyUsage: null);
        using var ring = Ring();
        Assert.Equal(CaImportFailure.NotACertificateAuthority, Assert.Throws<CaImportException>(() =>
            Authority(ring).Import(TenantId, owner.Root.RawData, owner.Issuing.RawData, owner.IssuingPkcs8)).Failure);
    }

    [Fact]
    public void An_owner_brought_issuing_certificate_without_cRLSign_is_refused()
    {
        using var owner = new OwnerCa(Now, issuingKeyUsage: X509KeyUsageFlags.KeyCertSign);
        using var ring = Ring();
        Assert.Equal(CaImportFailure.NotACertificateAuthority, Assert.Throws<CaImportException>(() =>
            Authority(ring).Import(TenantId, owner.Root.RawData, owner.Issuing.RawData, owner.IssuingPkcs8)).Failure);
    }

    [Fact]
    public void An_owner_brought_root_that_is_not_self_issued_is_refused()
    {
        using var owner = new OwnerCa(Now);
        using var ring = Ring();
        Assert.Equal(CaImportFailure.NotACertificateAuthority, Assert.Throws<CaImportException>(() =>
            Authority(ring).Import(TenantId, owner.Issuing.RawData, owner.Issuing.RawData, owner.IssuingPkcs8)).Failure);
    }

    [Fact]
    public void An_owner_brought_issuing_CA_on_an_unsupported_curve_is_refused()
    {
        using var owner = new OwnerCa(Now, ECCurve.NamedCurves.nistP521);
        using var ring = Ring();
        Assert.Equal(CaImportFailure.UnsupportedKey, Assert.Throws<CaImportException>(() =>
            Authority(ring).Import(TenantId, owner.Root.RawData, owner.Issuing.RawData, owner.IssuingPkcs8)).Failure);
    }

    [Fact]
    public void An_expired_owner_brought_issuing_CA_is_refused()
    {
        using var owner = new OwnerCa(Now, issuingLifetime: TimeSpan.FromDays(30));
        using var ring = Ring();
        Assert.Equal(CaImportFailure.NotTimeValid, Assert.Throws<CaImportException>(() =>
            Authority(ring, Now.AddDays(60)).Import(TenantId, owner.Root.RawData, owner.Issuing.RawData, owner.IssuingPkcs8)).Failure);
    }

    [Fact]
    public void Owner_brought_material_that_does_not_parse_is_refused()
    {
        using var owner = new OwnerCa(Now);
        using var ring = Ring();
        Assert.Equal(CaImportFailure.MalformedCertificate, Assert.Throws<CaImportException>(() =>
            Authority(ring).Import(TenantId, [0x30, 0x03, 0x02, 0x01, 0x00], owner.Issuing.RawData, owner.IssuingPkcs8)).Failure);
        Assert.Equal(CaImportFailure.MalformedPrivateKey, Assert.Throws<CaImportException>(() =>
            Authority(ring).Import(TenantId, owner.Root.RawData, owner.Issuing.RawData, [0x30, 0x00])).Failure);
    }
}
