using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Protocol;
using IoTIdentity.Protocol.Management;
using IoTIdentity.Protocol.Ownership;
using IoTIdentity.Provisioning.Grains;
using IoTIdentity.Simulator.Swtpm.Manufacturing;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// Ownership vouchers end to end with a real swtpm device: two tenants trust the device's vendor, so the unscoped device
/// is nobody's until one of them uploads a voucher the vendor signed for its ownership key; every voucher that is
/// forged, for another device, for another owner, from a signer the tenant does not trust, or malformed is refused with
/// its reason and changes nothing.
/// </summary>
public sealed class OwnershipVoucherTests(ServiceFixture service) : SwtpmBench, IClassFixture<ServiceFixture>
{
    private const int TestTimeout = 120_000;

    private Task<TestTenant> NewTenantAsync() => service.CreateTenantAsync($"ov-{Guid.NewGuid():N}"[..20], [Manufacturer.RootDer]);

    private async Task<byte[]> OwnerKeyAsync(TestTenant tenant)
    {
        var pem = await service.Http.GetStringAsync($"/api/v1/tenants/{tenant.TenantId}/ownership-key");
        var fields = PemEncoding.Find(pem);
        return Convert.FromBase64String(pem[fields.Base64Data]);
    }

    /// <summary>A voucher for the device and the owner key, signed with the manufacturer's voucher key (or the given one).</summary>
    private static OwnershipVoucher Voucher(ManufacturerCa maker, string deviceId, byte[] ownerKey, ECDsa? signWith = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var chain = maker.IssueSigningCertificate(key);
        return OwnershipVouchers.Create(deviceId, ownerKey, signWith ?? key, chain);
    }

    private async Task<(TpmEnrollmentOptions Options, string DeviceId)> NewDeviceAsync()
    {
        var options = await VirtualDevices.ManufactureAsync(Tpm, Manufacturer);
        return (options, await new TpmEnrollment(Tpm, options).ReadDeviceIdAsync());
    }

    private async Task<EnrollmentResult> EnrollAsync(TpmEnrollmentOptions options, string deviceId)
    {
        await using var client = await service.ConnectAsync(deviceId);
        return await new TpmEnrollment(Tpm, options).EnrollAsync(client);
    }

    private static async Task<HttpResponseMessage> PutAsync(TestTenant tenant, string deviceId, object voucher)
    {
        using var http = tenant.Http;
        return await http.PutAsJsonAsync($"/api/v1/ownership-vouchers/{deviceId}", voucher);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task An_unowned_device_covered_by_a_valid_voucher_enrols_with_its_tenant_even_when_another_tenant_trusts_its_vendor()
    {
        var (a, b) = (await NewTenantAsync(), await NewTenantAsync());
        var (options, deviceId) = await NewDeviceAsync();
        Assert.Equal(ProvisioningError.AmbiguousOwner, (await Assert.ThrowsAsync<EnrollmentRefusedException>(() => EnrollAsync(options, deviceId))).Error);

        Assert.Equal(HttpStatusCode.NoContent, (await PutAsync(a, deviceId, Voucher(Manufacturer, deviceId, await OwnerKeyAsync(a)))).StatusCode);
        // a second valid voucher, for another tenant, cannot take the device: one voucher claim per device
        Assert.Equal(HttpStatusCode.Conflict, (await PutAsync(b, deviceId, Voucher(Manufacturer, deviceId, await OwnerKeyAsync(b)))).StatusCode);
        // each tenant's log says what it did: A's voucher accepted; B's refused, who and why, naming no one else
        var accepted = Assert.Single(await service.ReadAuditLogAsync(a.TenantId), e => e.Event.Subject == deviceId && e.Event.Action == AuditActions.OwnershipVoucherSet);
        Assert.Equal("done", accepted.Event.Outcome);
        var refused = Assert.Single(await service.ReadAuditLogAsync(b.TenantId), e => e.Event.Subject == deviceId && e.Event.Action == AuditActions.OwnershipVoucherSet);
        Assert.Equal("refused:Conflict", refused.Event.Outcome);
        Assert.StartsWith("api-key:", refused.Event.Actor);
        Assert.Equal("the device is another tenant's, or another tenant holds its voucher", refused.Event.Details!["reason"]);
        Assert.DoesNotContain(a.TenantId, System.Text.Json.JsonSerializer.Serialize(refused));

        var enrolled = await EnrollAsync(options, deviceId);
        Assert.Equal(a.TenantId, enrolled.Issued.Owner);
        Assert.Null(await service.Store.GetDeviceAsync(b.TenantId, deviceId));
    }

    [Theory(Timeout = TestTimeout)]
    [InlineData("forged", "BadSignature")]
    [InlineData("wrong-device", "WrongDevice")]
    [InlineData("wrong-owner", "WrongOwner")]
    [InlineData("untrusted-signer", "UntrustedSigner")]
    [InlineData("malformed", "Malformed")]
    public async Task A_voucher_that_does_not_prove_the_claim_is_refused_with_its_reason_and_claims_nothing(string shape, string reason)
    {
        var (a, b) = (await NewTenantAsync(), await NewTenantAsync());
        var (options, deviceId) = await NewDeviceAsync();
        var ownerKey = await OwnerKeyAsync(a);
        using var stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var rogue = ManufacturerCa.Create(new ManufacturerCaOptions { Name = "Rogue Manufacturer", EcdsaKeys = true });
        var voucher = shape switch
        {
            "forged" => Voucher(Manufacturer, deviceId, ownerKey, signWith: stranger),
            "wrong-device" => Voucher(Manufacturer, new string('0', 64), ownerKey),
            "wrong-owner" => Voucher(Manufacturer, deviceId, await OwnerKeyAsync(b)),
            "untrusted-signer" => Voucher(rogue, deviceId, ownerKey),
            _ => Voucher(Manufacturer, deviceId, ownerKey) with { Signature = "not base64!" },
        };

        var response = await PutAsync(a, deviceId, voucher);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains($"voucher refused: {reason}", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(ProvisioningError.AmbiguousOwner, (await Assert.ThrowsAsync<EnrollmentRefusedException>(() => EnrollAsync(options, deviceId))).Error);
    }
}
