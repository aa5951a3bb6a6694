using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Protocol;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.TestKit;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.X509;
using BigInteger = Org.BouncyCastle.Math.BigInteger;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// Service administration and tenant self-service end to end: tenants with a generated or an owner-brought issuing CA,
/// quotas, tenant-wide manufacturer roots, API keys, and revocation (CRL with reasons, renewal refused, live MQTT
/// session closed) — with a real swtpm device over the real MQTT endpoint.
/// </summary>
public sealed class TenantAdministrationTests(ServiceFixture service) : SwtpmBench, IClassFixture<ServiceFixture>
{
    private const int TestTimeout = 120_000;

    private HttpClient Admin => service.ClientFor(service.AdminKey);

    private static string NewTenantId() => $"adm-{Guid.NewGuid():N}"[..20];

    private async Task<(TpmEnrollment Enrollment, string DeviceId)> NewDeviceAsync()
    {
        var enrollment = new TpmEnrollment(Tpm, await VirtualDevices.ManufactureAsync(Tpm, Manufacturer));
        return (enrollment, await enrollment.ReadDeviceIdAsync());
    }

    /// <summary>A tenant created over the API whose default group trusts this test's manufacturer only through an individual enrolment.</summary>
    private async Task<(string TenantId, HttpClient Http, JsonObject Created)> CreateTenantAsync(object body)
    {
        var response = await Admin.PostAsJsonAsync("/api/v1/tenants", body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        var tenantId = created["tenantId"]!.GetValue<string>();
        return (tenantId, service.ClientFor(created["ownerAdminKey"]!.GetValue<string>()), created);
    }

    private async Task EnrolIndividuallyAsync(HttpClient http, string deviceId, bool groupTrustsManufacturer = true)
    {
        var roots = groupTrustsManufacturer ? new[] { PemOf(Manufacturer.RootDer) } : [];
        Assert.Equal(HttpStatusCode.OK, (await http.PutAsJsonAsync("/api/v1/enrollment-groups/default", new { trustedRootsPem = roots, individualOnly = true })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.PutAsJsonAsync($"/api/v1/individual-enrollments/{deviceId}", new { groupId = "default" })).StatusCode);
    }

    private static string PemOf(byte[] der) => new(PemEncoding.Write("CERTIFICATE", der));

    [Fact(Timeout = TestTimeout)]
    public async Task A_tenant_with_its_own_issuing_CA_gets_device_certificates_and_CRLs_signed_by_that_CA()
    {
        using var owner = new OwnerCa(DateTimeOffset.UtcNow);
        var (tenantId, http, created) = await CreateTenantAsync(new
        {
            tenantId = NewTenantId(), name = "Owner with a CA", ca = new { certificatePem = owner.ChainPem, privateKeyPem = owner.IssuingKeyPem },
        });
        using var _ = http;
        Assert.Equal(owner.Root.RawData, X509Certificate2.CreateFromPem(created["rootCertificatePem"]!.GetValue<string>()).RawData);
        var (enrollment, deviceId) = await NewDeviceAsync();
        await EnrolIndividuallyAsync(http, deviceId);
        await using var client = await service.ConnectAsync(deviceId);

        var enrolled = await enrollment.EnrollAsync(client);

        // the device certificate is issued by the owner's issuing CA and chains to the owner's root
        Assert.Equal(owner.Issuing.RawData, enrolled.Issued.CertificateChain[1]);
        using var certificate = X509CertificateLoader.LoadCertificate(enrolled.Issued.CertificateChain[0]);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(owner.Root);
        chain.ChainPolicy.ExtraStore.Add(owner.Issuing);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        Assert.True(chain.Build(certificate), string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));

        // revoke that one certificate with a reason: on the CRL the owner's CA signed, and the device cannot renew with it
        var revoke = await http.PostAsJsonAsync($"/api/v1/certificates/{enrolled.Issued.SerialNumber}/revoke", new { reason = "keyCompromise" });
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        var crl = new X509CrlParser().ReadCrl(await service.Http.GetByteArrayAsync($"/crl/{tenantId}.crl"));
        crl.Verify(new X509CertificateParser().ReadCertificate(owner.Issuing.RawData).GetPublicKey());
        var entry = crl.GetRevokedCertificate(new BigInteger(enrolled.Issued.SerialNumber, 16));
        Assert.NotNull(entry);
        Assert.Equal((int)Certificates.CrlReason.KeyCompromise,
            DerEnumerated.GetInstance(Asn1Object.FromByteArray(entry.GetExtensionValue(X509Extensions.ReasonCode).GetOctets())).IntValueExact);
        var view = (await http.GetFromJsonAsync<JsonObject>($"/api/v1/certificates/{enrolled.Issued.SerialNumber}"))!;
        Assert.True(view["revoked"]!.GetValue<bool>());
        Assert.Equal("keyCompromise", view["reason"]!.GetValue<string>());
        Assert.Equal(deviceId, view["deviceId"]!.GetValue<string>());

        await Refusals.ExpectAsync(ProvisioningError.NotAuthorized, () => service.ConnectAuthenticatedAsync(enrollment, enrolled));
        // the device itself was not revoked: it may enrol again and gets a new certificate
        await using var again = await service.ConnectAsync(deviceId);
        var reenrolled = await enrollment.EnrollAsync(again);
        Assert.NotEqual(enrolled.Issued.SerialNumber, reenrolled.Issued.SerialNumber);
    }

    public static TheoryData<string> BadOwnerCas => new()
    {
        "issuing certificate is not a CA",
        "issuing certificate has no key usage",
        "issuing certificate lacks cRLSign",
        "key is not the issuing certificate's",
        "issuing certificate expired",
        "issuing key on P-521",
        "root missing from the chain",
        "private key is not PEM",
        "root did not issue the issuing certificate",
    };

    [Theory(Timeout = TestTimeout)]
    [MemberData(nameof(BadOwnerCas))]
    public async Task A_bad_owner_brought_CA_is_refused_with_a_clear_problem_and_no_tenant_is_created(string fault)
    {
        var now = DateTimeOffset.UtcNow;
        using var stranger = new OwnerCa(now);
        using var owner = fault switch
        {
            "issuing certificate is not a CA" => new OwnerCa(now, issuingIsCa: false),
            "issuing certificate has no key usage" => new OwnerCa(now, issuingKeyUsage: null),
            "issuing certificate lacks cRLSign" => new OwnerCa(now, issuingKeyUsage: X509KeyUsageFlags.KeyCertSign),
            "issuing certificate expired" => new OwnerCa(now.AddDays(-60), issuingLifetime: TimeSpan.FromDays(30)),
            "issuing key on P-521" => new OwnerCa(now, ECCurve.NamedCurves.nistP521),
            "root did not issue the issuing certificate" => new OwnerCa(now, signedBy: stranger),
            _ => new OwnerCa(now),
        };
        var certificatePem = fault switch
        {
            "root missing from the chain" => owner.Issuing.ExportCertificatePem(),
            "root did not issue the issuing certificate" => owner.Issuing.ExportCertificatePem() + "\n" + owner.Root.ExportCertificatePem(),
            _ => owner.ChainPem,
        };
        var keyPem = fault switch
        {
            "key is not the issuing certificate's" => stranger.IssuingKeyPem,
            "private key is not PEM" => Convert.ToBase64String(owner.IssuingPkcs8),
            _ => owner.IssuingKeyPem,
        };
        var tenantId = NewTenantId();

        var response = await Admin.PostAsJsonAsync("/api/v1/tenants", new { tenantId, name = "bad CA", ca = new { certificatePem, privateKeyPem = keyPem } });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("MalformedRequest", problem["error"]!.GetValue<string>());
        Assert.StartsWith("ca", problem["detail"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await Admin.GetAsync($"/api/v1/tenants/{tenantId}")).StatusCode);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task The_service_administrator_lists_and_reads_tenants_page_by_page()
    {
        var (first, h1, _) = await CreateTenantAsync(new { tenantId = NewTenantId(), name = "one" });
        var (second, h2, _) = await CreateTenantAsync(new { tenantId = NewTenantId(), name = "two", quota = new { maxDevices = 5 } });
        h1.Dispose();
        h2.Dispose();

        var seen = new List<string>();
        string? token = null;
        do
        {
            var page = (await Admin.GetFromJsonAsync<JsonObject>($"/api/v1/tenants?pageSize=1{(token is null ? "" : $"&continuationToken={token}")}"))!;
            var items = page["items"]!.AsArray();
            Assert.True(items.Count <= 1);
            seen.AddRange(items.Select(i => i!["tenantId"]!.GetValue<string>()));
            token = page["continuationToken"]?.GetValue<string>();
        } while (token is not null);

        Assert.Contains(first, seen);
        Assert.Contains(second, seen);
        Assert.Equal(seen.Order(StringComparer.Ordinal), seen);
        var view = (await Admin.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{second}"))!;
        Assert.Equal(5, view["quota"]!["maxDevices"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.Conflict, (await Admin.PostAsJsonAsync("/api/v1/tenants", new { tenantId = second, name = "again" })).StatusCode);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task A_revoked_API_key_is_refused_at_once_and_listed_with_its_revocation_never_its_secret()
    {
        var (_, admin, _) = await CreateTenantAsync(new { tenantId = NewTenantId(), name = "keys" });
        using var _a = admin;
        var created = await admin.PostAsJsonAsync("/api/v1/api-keys", new { name = "ci", role = "Operator" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var key = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        using var operatorHttp = service.ClientFor(key["key"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await operatorHttp.GetAsync("/api/v1/devices")).StatusCode);

        var deleted = await admin.DeleteAsync($"/api/v1/api-keys/{key["keyId"]!.GetValue<string>()}");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await operatorHttp.GetAsync("/api/v1/devices")).StatusCode);
        var listText = await admin.GetStringAsync("/api/v1/api-keys");
        Assert.DoesNotContain(key["key"]!.GetValue<string>().Split('.')[3], listText);
        var listed = JsonNode.Parse(listText)!["items"]!.AsArray().Single(k => k!["keyId"]!.GetValue<string>() == key["keyId"]!.GetValue<string>())!;
        Assert.NotNull(listed["revokedAt"]);
        Assert.NotNull(listed["lastUsedAt"]);
        Assert.Equal("Operator", listed["role"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync("/api/v1/api-keys/000000000000")).StatusCode);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task A_device_beyond_the_tenant_quota_is_refused_as_QuotaExceeded()
    {
        var (tenantId, http, _) = await CreateTenantAsync(new { tenantId = NewTenantId(), name = "quota" });
        using var _h = http;
        Assert.Equal(HttpStatusCode.OK, (await http.PutAsJsonAsync("/api/v1/tenant/quota", new { maxDevices = 1 })).StatusCode);
        var (first, firstId) = await NewDeviceAsync();
        var (second, secondId) = await NewDeviceAsync();
        await EnrolIndividuallyAsync(http, firstId);
        Assert.Equal(HttpStatusCode.OK, (await http.PutAsJsonAsync($"/api/v1/individual-enrollments/{secondId}", new { groupId = "default" })).StatusCode);
        await using (var client = await service.ConnectAsync(firstId)) await first.EnrollAsync(client);

        await using var secondClient = await service.ConnectAsync(secondId);
        await Refusals.ExpectAsync(ProvisioningError.QuotaExceeded, () => second.EnrollAsync(secondClient));

        var tenant = (await http.GetFromJsonAsync<JsonObject>("/api/v1/tenant"))!;
        Assert.Equal(1, tenant["deviceCount"]!.GetValue<int>());
        Assert.Equal(1, tenant["quota"]!["maxDevices"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.BadRequest, (await http.PutAsJsonAsync("/api/v1/tenant/quota", new { maxDevices = -1 })).StatusCode);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task A_group_trusts_the_tenant_wide_manufacturer_roots_as_soon_as_they_are_set()
    {
        var (tenantId, http, _) = await CreateTenantAsync(new { tenantId = NewTenantId(), name = "roots" });
        using var _h = http;
        var (enrollment, deviceId) = await NewDeviceAsync();
        await EnrolIndividuallyAsync(http, deviceId, groupTrustsManufacturer: false);
        await using var client = await service.ConnectAsync(deviceId);
        await Refusals.ExpectAsync(ProvisioningError.UntrustedEkCertificate, () => enrollment.EnrollAsync(client));

        var put = await http.PutAsJsonAsync("/api/v1/tenant/manufacturer-roots", new { certificatesPem = new[] { PemOf(Manufacturer.RootDer) } });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var enrolled = await enrollment.EnrollAsync(client);

        Assert.Equal(tenantId, enrolled.Issued.Owner);
        var roots = (await http.GetFromJsonAsync<JsonObject>("/api/v1/tenant"))!["trustedManufacturerRoots"]!.AsArray();
        using var root = X509CertificateLoader.LoadCertificate(Manufacturer.RootDer);
        Assert.Equal(root.GetCertHashString(HashAlgorithmName.SHA256).ToLowerInvariant(), roots.Single()!["thumbprint"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest,
            (await http.PutAsJsonAsync("/api/v1/tenant/manufacturer-roots", new { certificatesPem = new[] { "not a certificate" } })).StatusCode);
        Assert.Single((await http.GetFromJsonAsync<JsonObject>("/api/v1/tenant"))!["trustedManufacturerRoots"]!.AsArray());
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Revoking_a_device_puts_its_certificate_on_the_CRL_with_the_reason_and_closes_its_live_MQTT_session()
    {
        var (tenantId, http, _) = await CreateTenantAsync(new { tenantId = NewTenantId(), name = "revoke" });
        using var _h = http;
        var (enrollment, deviceId) = await NewDeviceAsync();
        await EnrolIndividuallyAsync(http, deviceId);
        var client = await service.ConnectAsync(deviceId);
        await using var _c = client;
        var enrolled = await enrollment.EnrollAsync(client);
        Assert.True(client.IsConnected);

        Assert.Equal(HttpStatusCode.BadRequest, (await http.PostAsJsonAsync($"/api/v1/devices/{deviceId}/revoke", new { reason = "bored" })).StatusCode);
        Assert.True(client.IsConnected);
        var revoke = await http.PostAsJsonAsync($"/api/v1/devices/{deviceId}/revoke", new { reason = "cessationOfOperation" });

        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (client.IsConnected && DateTime.UtcNow < deadline) await Task.Delay(100);
        Assert.False(client.IsConnected, "the device's MQTT session is still open after revocation");
        var ca = (await service.Grains.GetGrain<ITenantGrain>(tenantId).GetCaAsync())!;
        var crl = new X509CrlParser().ReadCrl(await service.Http.GetByteArrayAsync($"/crl/{tenantId}.crl"));
        crl.Verify(new X509CertificateParser().ReadCertificate(ca.IssuingCertificate).GetPublicKey());
        var entry = crl.GetRevokedCertificate(new BigInteger(enrolled.Issued.SerialNumber, 16));
        Assert.Equal((int)Certificates.CrlReason.CessationOfOperation,
            DerEnumerated.GetInstance(Asn1Object.FromByteArray(entry.GetExtensionValue(X509Extensions.ReasonCode).GetOctets())).IntValueExact);
        await Refusals.ExpectAsync(ProvisioningError.NotAuthorized, () => service.ConnectAuthenticatedAsync(enrollment, enrolled));
        await using var again = await service.ConnectAsync(deviceId);
        await Refusals.ExpectAsync(ProvisioningError.Revoked, () => enrollment.EnrollAsync(again));
    }
}
