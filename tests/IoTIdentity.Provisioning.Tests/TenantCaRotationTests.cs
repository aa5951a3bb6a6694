using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Protocol.Management;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Grains;
using IoTIdentity.Provisioning.Mqtt;
using IoTIdentity.TestKit;
using Microsoft.Extensions.DependencyInjection;
using Org.BouncyCastle.X509;
using BigInteger = Org.BouncyCastle.Math.BigInteger;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// Tenant issuing-CA rotation over the API (<c>POST /api/v1/tenant/ca/rotate</c>), with real swtpm devices: the new CA
/// issues from then on, the old one is kept (chain endpoint, its own CRL, the MQTT endpoint's certificate check) until
/// its last certificate expires, devices with old certificates renew, and the rotation is audited and owner-admin only.
/// </summary>
public sealed class TenantCaRotationTests(ServiceFixture service) : SwtpmBench, IClassFixture<ServiceFixture>
{
    private const int TestTimeout = 180_000;

    private static string NewTenantId() => $"rot-{Guid.NewGuid():N}"[..20];

    private async Task<(TpmEnrollment Enrollment, EnrollmentResult Enrolled)> EnrolAsync()
    {
        var enrollment = new TpmEnrollment(Tpm, await VirtualDevices.ManufactureAsync(Tpm, Manufacturer));
        await using var client = await service.ConnectAsync(await enrollment.ReadDeviceIdAsync());
        return (enrollment, await enrollment.EnrollAsync(client));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task After_a_rotation_the_new_CA_issues_the_old_one_is_kept_and_its_devices_authenticate_and_renew()
    {
        var tenant = await service.CreateTenantAsync(NewTenantId(), [Manufacturer.RootDer]);
        using var http = tenant.Http;
        var (enrollment, old) = await EnrolAsync();
        var before = (await http.GetFromJsonAsync<TenantCaView>("/api/v1/tenant/ca"))!;
        Assert.Equal(old.Issued.CertificateChain[1], Der(before.IssuingCas.Single().CertificatePem));

        var rotation = await http.PostAsync("/api/v1/tenant/ca/rotate", null);
        Assert.Equal(HttpStatusCode.OK, rotation.StatusCode);
        var after = (await rotation.Content.ReadFromJsonAsync<TenantCaView>())!;

        // the chain endpoint serves both: the new CA current, the old one retired and kept until its notAfter
        Assert.Equal(before.RootCertificatePem, after.RootCertificatePem);
        Assert.Equal(["current", "retired"], after.IssuingCas.Select(c => c.Status));
        var (current, retired) = (after.IssuingCas[0], after.IssuingCas[1]);
        Assert.Equal(before.IssuingCas[0].SerialNumber, retired.SerialNumber);
        Assert.NotEqual(retired.SerialNumber, current.SerialNumber);
        Assert.Equal(retired.NotAfter, retired.KeptUntil);
        Assert.NotNull(retired.RetiredAt);
        AssertSame(after, await http.GetFromJsonAsync<TenantCaView>("/api/v1/tenant/ca"));

        // the MQTT endpoint's certificate check accepts the old certificate while its CA is kept
        var verifier = service.App.Services.GetRequiredService<IDeviceCertificateVerifier>();
        using (var oldCertificate = X509CertificateLoader.LoadCertificate(old.Issued.CertificateChain[0]))
        {
            var verdict = await verifier.VerifyAsync(oldCertificate, CancellationToken.None);
            Assert.Null(verdict.Failure);
            Assert.Equal(old.DeviceId, verdict.DeviceId);
        }

        // a new device gets a certificate from the new CA, whose distribution point is that CA's CRL
        var (_, fresh) = await EnrolAsync();
        Assert.Equal(Der(current.CertificatePem), fresh.Issued.CertificateChain[1]);
        AssertChains(fresh.Issued.CertificateChain[0], after.RootCertificatePem, current.CertificatePem);
        using (var freshCertificate = X509CertificateLoader.LoadCertificate(fresh.Issued.CertificateChain[0]))
        {
            Assert.Contains($"/crl/{tenant.TenantId}/{current.SerialNumber}.crl", CrlDistributionPoint(freshCertificate), StringComparison.Ordinal);
            Assert.Null((await verifier.VerifyAsync(freshCertificate, CancellationToken.None)).Failure);
        }

        // the device with the old certificate renews, and gets one from the new CA
        await using (var client = await service.ConnectAuthenticatedAsync(enrollment, old))
        {
            var renewed = await enrollment.RenewAsync(client, old.DeviceKey, old.Issued.SerialNumber);
            Assert.Equal(Der(current.CertificatePem), renewed.Issued.CertificateChain[1]);
        }

        // audited, with who rotated and from which CA to which
        var entry = Assert.Single(await service.ReadAuditLogAsync(tenant.TenantId), e => e.Event.Action == AuditActions.TenantCaRotate);
        Assert.Equal(current.SerialNumber, entry.Event.Subject);
        Assert.StartsWith("api-key:", entry.Event.Actor, StringComparison.Ordinal);
        Assert.Equal($"{retired.SerialNumber} → {current.SerialNumber}", entry.Event.Details!["issuingCa"]);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Each_kept_CA_serves_its_own_signed_CRL_listing_the_revocations()
    {
        var tenant = await service.CreateTenantAsync(NewTenantId(), [Manufacturer.RootDer]);
        using var http = tenant.Http;
        var (_, old) = await EnrolAsync();
        var after = (await (await http.PostAsync("/api/v1/tenant/ca/rotate", null)).Content.ReadFromJsonAsync<TenantCaView>())!;
        Assert.Equal(HttpStatusCode.NoContent, (await http.PostAsJsonAsync($"/api/v1/certificates/{old.Issued.SerialNumber}/revoke", new { reason = "keyCompromise" })).StatusCode);

        foreach (var ca in after.IssuingCas)
        {
            var crl = new X509CrlParser().ReadCrl(await service.Http.GetByteArrayAsync($"/crl/{tenant.TenantId}/{ca.SerialNumber}.crl"));
            var issuer = new X509CertificateParser().ReadCertificate(Der(ca.CertificatePem));
            crl.Verify(issuer.GetPublicKey());
            Assert.Equal(issuer.SubjectDN, crl.IssuerDN);
            Assert.NotNull(crl.GetRevokedCertificate(new BigInteger(old.Issued.SerialNumber, 16)));
        }
        // the tenant-wide address stays the current CA's CRL
        var currentCrl = new X509CrlParser().ReadCrl(await service.Http.GetByteArrayAsync($"/crl/{tenant.TenantId}.crl"));
        currentCrl.Verify(new X509CertificateParser().ReadCertificate(Der(after.IssuingCas[0].CertificatePem)).GetPublicKey());

        // a CA the tenant does not keep, or a serial that is no serial, is not found
        foreach (var path in new[] { $"/crl/{tenant.TenantId}/0123abcd.crl", $"/crl/{tenant.TenantId}/{after.IssuingCas[0].SerialNumber.ToUpperInvariant()}.crl",
                     $"/crl/{tenant.TenantId}/not-hex.crl", $"/crl/{NewTenantId()}/{after.IssuingCas[0].SerialNumber}.crl" })
            Assert.Equal(HttpStatusCode.NotFound, (await service.Http.GetAsync(path)).StatusCode);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Only_an_owner_admin_may_rotate_and_a_refused_rotation_changes_nothing()
    {
        var tenant = await service.CreateTenantAsync(NewTenantId(), [Manufacturer.RootDer]);
        using var owner = tenant.Http;
        var before = (await owner.GetFromJsonAsync<TenantCaView>("/api/v1/tenant/ca"))!;
        foreach (var role in Enum.GetValues<ApiRole>().Where(r => r != ApiRole.OwnerAdmin))
        {
            var key = await service.Grains.GetGrain<ITenantGrain>(tenant.TenantId).CreateApiKeyAsync(role, $"{role}");
            using var http = service.ClientFor(key.Key);
            Assert.Equal(HttpStatusCode.Forbidden, (await http.PostAsync("/api/v1/tenant/ca/rotate", null)).StatusCode);
            AssertSame(before, await http.GetFromJsonAsync<TenantCaView>("/api/v1/tenant/ca"));
        }
        using var anonymous = service.ClientFor("iotid.nobody.key");
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/api/v1/tenant/ca/rotate", null)).StatusCode);
        // another tenant's owner-admin rotates its own CA, never this one
        var other = await service.CreateTenantAsync(NewTenantId(), [Manufacturer.RootDer]);
        using (var otherOwner = other.Http) Assert.Equal(HttpStatusCode.OK, (await otherOwner.PostAsync("/api/v1/tenant/ca/rotate", null)).StatusCode);
        AssertSame(before, await owner.GetFromJsonAsync<TenantCaView>("/api/v1/tenant/ca"));
        Assert.DoesNotContain(await service.ReadAuditLogAsync(tenant.TenantId), e => e.Event.Action == AuditActions.TenantCaRotate);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task A_tenant_with_its_own_CA_is_told_it_holds_the_root_key_and_keeps_its_CA()
    {
        using var ownerCa = new OwnerCa(DateTimeOffset.UtcNow);
        using var admin = service.ClientFor(service.AdminKey);
        var created = await admin.PostAsJsonAsync("/api/v1/tenants", new
        {
            tenantId = NewTenantId(), name = "Owner with a CA", ca = new { certificatePem = ownerCa.ChainPem, privateKeyPem = ownerCa.IssuingKeyPem },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var http = service.ClientFor((await created.Content.ReadFromJsonAsync<CreatedTenant>())!.OwnerAdminKey);

        var refused = await http.PostAsync("/api/v1/tenant/ca/rotate", null);

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("root key", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var view = (await http.GetFromJsonAsync<TenantCaView>("/api/v1/tenant/ca"))!;
        Assert.Equal(ownerCa.Issuing.RawData, Der(Assert.Single(view.IssuingCas).CertificatePem));
    }

    private static void AssertSame(TenantCaView expected, TenantCaView? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.RootCertificatePem, actual.RootCertificatePem);
        Assert.Equal(expected.IssuingCas, actual.IssuingCas);
    }

    private static byte[] Der(string pem) => X509Certificate2.CreateFromPem(pem).RawData;

    private static string CrlDistributionPoint(X509Certificate2 certificate) =>
        certificate.Extensions["2.5.29.31"] is { } extension ? System.Text.Encoding.ASCII.GetString(extension.RawData) : "";

    private static void AssertChains(byte[] leaf, string rootPem, string issuingPem)
    {
        using var certificate = X509CertificateLoader.LoadCertificate(leaf);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(X509Certificate2.CreateFromPem(rootPem));
        chain.ChainPolicy.ExtraStore.Add(X509Certificate2.CreateFromPem(issuingPem));
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        Assert.True(chain.Build(certificate), string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));
    }
}
