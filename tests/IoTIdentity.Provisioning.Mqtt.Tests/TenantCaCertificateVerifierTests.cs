using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IoTIdentity.TestKit;

namespace IoTIdentity.Provisioning.Mqtt.Tests;

/// <summary>
/// The device certificate check itself (what CONNECT and the token endpoint rely on), case by case: RFC 5280's checks
/// the service keeps — validity, the device profile (basic constraints, key usage, extended key usage, critical
/// extensions), the issuing CA's signature and its own path to the tenant's root, revocation — against forged chains,
/// another tenant's CA, expired and revoked certificates. The issuing CA's path is verified once and kept; these tests
/// show what it still refuses after that.
/// </summary>
public sealed class TenantCaCertificateVerifierTests : IDisposable
{
    private readonly TenantDevices _tenant = new();

    public void Dispose() => _tenant.Dispose();

    private static async Task<DeviceCertificateVerdict> VerifyAsync(TenantDevices tenant, X509Certificate2 certificate) =>
        await tenant.Verifier.VerifyAsync(certificate, CancellationToken.None);

    private static void AssertRefused(DeviceCertificateVerdict verdict, string reason)
    {
        Assert.Null(verdict.DeviceId);
        Assert.Equal(reason, verdict.Failure);
    }

    [Fact]
    public async Task A_current_certificate_of_the_tenant_verifies_and_names_its_device_and_tenant()
    {
        var id = EndpointHarness.NewDeviceId();
        using var certificate = _tenant.Issue(id);

        var verdict = await VerifyAsync(_tenant, certificate);

        Assert.Equal(id, verdict.DeviceId);
        Assert.Equal(_tenant.TenantId, verdict.TenantId);
        Assert.Equal(verdict, await VerifyAsync(_tenant, certificate));   // and again, from the kept issuing CA
    }

    [Fact]
    public async Task A_forged_chain_under_the_same_CA_names_with_another_key_is_refused_after_the_real_CA_was_kept()
    {
        using var genuine = _tenant.Issue(EndpointHarness.NewDeviceId());
        Assert.NotNull((await VerifyAsync(_tenant, genuine)).DeviceId);
        using var forger = new OwnerCa(DateTimeOffset.UtcNow);   // "CN=Owner Issuing, O=Owner" too
        using var forged = _tenant.Issue(EndpointHarness.NewDeviceId(), issuer: forger);

        AssertRefused(await VerifyAsync(_tenant, forged), "not issued by an issuing CA of tenant acme");
    }

    [Fact]
    public async Task A_certificate_with_a_tampered_signature_is_refused()
    {
        using var genuine = _tenant.Issue(EndpointHarness.NewDeviceId());
        var der = genuine.RawData;
        der[^5] ^= 0x01;
        using var tampered = X509CertificateLoader.LoadCertificate(der);

        AssertRefused(await VerifyAsync(_tenant, tampered), "not issued by an issuing CA of tenant acme");
    }

    [Fact]
    public async Task A_certificate_naming_the_tenant_but_issued_by_another_tenants_CA_is_refused()
    {
        using var other = new TenantDevices("globex");
        using var certificate = other.Issue(EndpointHarness.NewDeviceId(), tenant: _tenant.TenantId);

        AssertRefused(await VerifyAsync(_tenant, certificate), "not issued by an issuing CA of tenant acme");
        Assert.NotNull((await VerifyAsync(other, other.Issue(EndpointHarness.NewDeviceId()))).DeviceId);
    }

    [Fact]
    public async Task An_expired_or_not_yet_valid_certificate_is_refused()
    {
        var now = DateTimeOffset.UtcNow;
        using var expired = _tenant.Issue(EndpointHarness.NewDeviceId(), notBefore: now.AddDays(-10), notAfter: now.AddDays(-1));
        using var early = _tenant.Issue(EndpointHarness.NewDeviceId(), notBefore: now.AddDays(1), notAfter: now.AddDays(10));

        AssertRefused(await VerifyAsync(_tenant, expired), "outside its validity");
        AssertRefused(await VerifyAsync(_tenant, early), "outside its validity");
    }

    [Fact]
    public async Task A_revoked_certificate_is_refused_and_its_neighbour_is_not()
    {
        using var revoked = _tenant.Issue(EndpointHarness.NewDeviceId());
        using var neighbour = _tenant.Issue(EndpointHarness.NewDeviceId());
        _tenant.Revoke(revoked);

        AssertRefused(await VerifyAsync(_tenant, revoked), "revoked");
        Assert.NotNull((await VerifyAsync(_tenant, neighbour)).DeviceId);
    }

    [Fact]
    public async Task A_certificate_is_refused_once_its_issuing_CA_has_expired_though_the_CA_was_kept_while_current()
    {
        var now = DateTimeOffset.UtcNow;
        var clock = new FixedTimeProvider(now);
        using var ca = new OwnerCa(now, issuingLifetime: TimeSpan.FromDays(30));
        using var tenant = new TenantDevices(ca: ca, clock: clock);
        using var certificate = tenant.Issue(EndpointHarness.NewDeviceId(), notAfter: now.AddDays(90));
        Assert.NotNull((await VerifyAsync(tenant, certificate)).DeviceId);

        clock.Now = now.AddDays(45);

        AssertRefused(await VerifyAsync(tenant, certificate), "not issued by an issuing CA of tenant acme");
    }

    [Theory]
    [InlineData("not a CA")]
    [InlineData("may not sign certificates")]
    [InlineData("signed by another root")]
    public async Task A_certificate_from_an_issuing_CA_that_may_not_issue_under_the_tenants_root_is_refused(string flaw)
    {
        var now = DateTimeOffset.UtcNow;
        using var stranger = new OwnerCa(now);
        using var ca = flaw switch
        {
            "not a CA" => new OwnerCa(now, issuingIsCa: false),
            "may not sign certificates" => new OwnerCa(now, issuingKeyUsage: X509KeyUsageFlags.DigitalSignature),
            _ => new OwnerCa(now, signedBy: stranger),
        };
        using var tenant = new TenantDevices(ca: ca);
        using var certificate = tenant.Issue(EndpointHarness.NewDeviceId());

        AssertRefused(await VerifyAsync(tenant, certificate), "not issued by an issuing CA of tenant acme");
    }

    [Fact]
    public async Task A_certificate_from_a_retired_issuing_CA_under_the_same_root_verifies_while_the_CA_is_kept()
    {
        using var retired = new OwnerCa(DateTimeOffset.UtcNow, signedBy: _tenant.Ca);
        using var certificate = _tenant.Issue(EndpointHarness.NewDeviceId(), issuer: retired);
        AssertRefused(await VerifyAsync(_tenant, certificate), "not issued by an issuing CA of tenant acme");

        _tenant.Retired.Add(retired.Issuing);

        Assert.NotNull((await VerifyAsync(_tenant, certificate)).DeviceId);
    }

    [Theory]
    [InlineData("ca", "a CA certificate")]
    [InlineData("key usage", "its key usage lacks digitalSignature")]
    [InlineData("extended key usage", "its extended key usage lacks clientAuth")]
    [InlineData("critical", "a critical extension that is not understood (1.3.6.1.4.1.99999.1)")]
    public async Task A_certificate_that_is_not_a_device_certificate_by_its_extensions_is_refused(string flaw, string reason)
    {
        var clientAuth = new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false);
        var signing = new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true);
        X509Extension[] extensions = flaw switch
        {
            "ca" => [new X509BasicConstraintsExtension(true, false, 0, true), clientAuth, signing],
            "key usage" => [clientAuth, new X509KeyUsageExtension(X509KeyUsageFlags.KeyEncipherment, true)],
            "extended key usage" => [new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false), signing],
            _ => [clientAuth, signing, new X509Extension("1.3.6.1.4.1.99999.1", [0x05, 0x00], critical: true)],
        };
        using var certificate = _tenant.Issue(EndpointHarness.NewDeviceId(), extensions: extensions);

        AssertRefused(await VerifyAsync(_tenant, certificate), reason);
    }

    [Fact]
    public async Task A_certificate_without_key_usage_or_extended_key_usage_still_verifies()
    {
        using var certificate = _tenant.Issue(EndpointHarness.NewDeviceId(), extensions: []);

        Assert.NotNull((await VerifyAsync(_tenant, certificate)).DeviceId);
    }
}
