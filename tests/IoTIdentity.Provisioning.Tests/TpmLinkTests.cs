using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using IoTIdentity.Attestation.Keys;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Protocol.Management;
using IoTIdentity.Simulator.Swtpm;
using IoTIdentity.Simulator.Swtpm.Manufacturing;
using IoTIdentity.Tpm.Ek;
using IoTIdentity.Tpm.Sessions;
using IoTIdentity.Tpm.Structures;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// One TPM, two EKs: the swtpm's RSA 2048 and ECC P-384 EKs (both made by <c>swtpm_setup</c>) are two keys, so two
/// device ids, and the inventory shows them linked when both EK certificates name the same TPM serial
/// (hardwareModuleName), never across tenants or serials; an operator links and unlinks two of the tenant's devices
/// by hand. swtpm_localca's own certificates carry no serial, so the bench's manufacturer certifies the swtpm's two EKs
/// with one, as a vendor that writes serials does. Each test's swtpm is provisioned afresh (its own EKs): the template
/// state every other bench copies holds the same two EKs, which an earlier test's tenant would already own.
/// </summary>
public sealed class TpmLinkTests(ServiceFixture service) : SwtpmBench(new SwtpmOptions { FreshEndorsementKey = true }), IClassFixture<ServiceFixture>
{
    private const int TestTimeout = 120_000;
    private const string HardwareType = "1.3.6.1.4.1.99999.1";

    private Task<TestTenant> NewTenantAsync() => service.CreateTenantAsync($"link-{Guid.NewGuid():N}"[..20], [Manufacturer.RootDer]);

    /// <summary>The swtpm's own EK of <paramref name="preset"/>, certified by the bench's manufacturer naming <paramref name="serial"/> (null: none).</summary>
    private async Task<(TpmEnrollmentOptions Options, string DeviceId)> DefaultEkAsync(TpmEnrollmentOptions preset, byte[]? serial)
    {
        var ek = await Tpm.CreateEkAsync(preset.EkTemplate);
        await Tpm.FlushAsync(ek.ObjectHandle);
        var profile = new EkCertificateProfile { HardwareModule = serial is null ? null : (HardwareType, serial) };
        var certificate = ek.OutPublic.Value.Parameters is TpmsRsaParms
            ? Manufacturer.IssueEkCertificate(TpmPublicKeys.RsaParameters(ek.OutPublic.Value), profile)
            : Manufacturer.IssueEkCertificate(TpmPublicKeys.EcParameters(ek.OutPublic.Value), profile);
        var options = preset with { EkCertificate = certificate, EkIntermediates = Manufacturer.IntermediatesDer };
        return (options, await new TpmEnrollment(Tpm, options).ReadDeviceIdAsync());
    }

    private async Task EnrollAsync(TpmEnrollmentOptions options, string deviceId, TestTenant tenant)
    {
        await using var client = await service.ConnectAsync(deviceId);
        var issued = await new TpmEnrollment(Tpm, options with { EnrollmentScope = tenant.TenantId }).EnrollAsync(client);
        Assert.Equal(tenant.TenantId, issued.Issued.Owner);
    }

    /// <summary>Every row of the tenant's inventory list: device id → the links the row carries.</summary>
    private static async Task<Dictionary<string, IReadOnlyList<string>>> ListedLinksAsync(TestTenant tenant)
    {
        using var http = tenant.Http;
        var page = await http.GetFromJsonAsync("/api/v1/devices?pageSize=100", ManagementJson.Default.PageDeviceSummary);
        return page!.Items.ToDictionary(d => d.DeviceId, d => d.Links ?? []);
    }

    private static async Task<DeviceDetails> DeviceAsync(TestTenant tenant, string deviceId)
    {
        using var http = tenant.Http;
        return (await http.GetFromJsonAsync<DeviceDetails>($"/api/v1/devices/{deviceId}", ManagementJson.Default.DeviceDetails))!;
    }

    [Fact(Timeout = TestTimeout)]
    public async Task A_TPM_presenting_its_RSA_and_its_ECC_EK_is_one_device_with_two_linked_ids_when_both_certificates_name_its_serial()
    {
        var tenant = await NewTenantAsync();
        var serial = RandomNumberGenerator.GetBytes(8);
        var (rsa, rsaId) = await DefaultEkAsync(TpmEnrollmentOptions.RsaEk(), serial);
        var (ecc, eccId) = await DefaultEkAsync(TpmEnrollmentOptions.EccP384Ek(), serial);
        Assert.NotEqual(rsaId, eccId);

        await EnrollAsync(rsa, rsaId, tenant);
        Assert.Empty((await DeviceAsync(tenant, rsaId)).Links);
        await EnrollAsync(ecc, eccId, tenant);

        var rsaView = await DeviceAsync(tenant, rsaId);
        var eccView = await DeviceAsync(tenant, eccId);
        Assert.Equal([new DeviceLinkView(eccId, "ek-certificates")], rsaView.Links);
        Assert.Equal([new DeviceLinkView(rsaId, "ek-certificates")], eccView.Links);
        Assert.Equal($"id:53575450/{HardwareType}/{Convert.ToHexStringLower(serial)}", rsaView.Tpm);
        Assert.Equal(rsaView.Tpm, eccView.Tpm);
        var log = await service.ReadAuditLogAsync(tenant.TenantId);
        Assert.Contains(log, e => e.Event.Action == "link" && e.Event.Subject == rsaId && e.Event.Details!["device"] == eccId);
        Assert.Contains(log, e => e.Event.Action == "link" && e.Event.Subject == eccId && e.Event.Details!["device"] == rsaId);
        // the inventory list's rows carry the links too, both ways
        var listed = await ListedLinksAsync(tenant);
        Assert.Equal([eccId], listed[rsaId]);
        Assert.Equal([rsaId], listed[eccId]);

        // renewing changes nothing about the link
        await EnrollAsync(ecc, eccId, tenant);
        Assert.Single((await DeviceAsync(tenant, eccId)).Links);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task EK_certificates_naming_different_serials_or_none_link_nothing()
    {
        var tenant = await NewTenantAsync();
        var (rsa, rsaId) = await DefaultEkAsync(TpmEnrollmentOptions.RsaEk(), RandomNumberGenerator.GetBytes(8));
        var (ecc, eccId) = await DefaultEkAsync(TpmEnrollmentOptions.EccP384Ek(), RandomNumberGenerator.GetBytes(8));
        var plain = await VirtualDevices.ManufactureAsync(Tpm, Manufacturer);
        var plainId = await new TpmEnrollment(Tpm, plain).ReadDeviceIdAsync();

        await EnrollAsync(rsa, rsaId, tenant);
        await EnrollAsync(ecc, eccId, tenant);
        await EnrollAsync(plain, plainId, tenant);

        foreach (var id in new[] { rsaId, eccId, plainId }) Assert.Empty((await DeviceAsync(tenant, id)).Links);
        Assert.Null((await DeviceAsync(tenant, plainId)).Tpm);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task The_EKs_of_one_TPM_owned_by_two_tenants_are_not_linked_and_neither_learns_of_the_other()
    {
        var (a, b) = (await NewTenantAsync(), await NewTenantAsync());
        var serial = RandomNumberGenerator.GetBytes(8);
        var (rsa, rsaId) = await DefaultEkAsync(TpmEnrollmentOptions.RsaEk(), serial);
        var (ecc, eccId) = await DefaultEkAsync(TpmEnrollmentOptions.EccP384Ek(), serial);

        await EnrollAsync(rsa, rsaId, a);
        await EnrollAsync(ecc, eccId, b);

        Assert.Empty((await DeviceAsync(a, rsaId)).Links);
        Assert.Empty((await DeviceAsync(b, eccId)).Links);
        Assert.DoesNotContain(await service.ReadAuditLogAsync(b.TenantId), e => e.Event.Action == "link");
    }

    [Fact(Timeout = TestTimeout)]
    public async Task An_operator_links_two_of_the_tenants_devices_and_unlinks_them_and_cannot_link_another_tenants()
    {
        var (tenant, other) = (await NewTenantAsync(), await NewTenantAsync());
        var ids = new List<string>();
        foreach (var owner in new[] { tenant, tenant, other })
        {
            var options = await VirtualDevices.ManufactureAsync(Tpm, Manufacturer);
            var id = await new TpmEnrollment(Tpm, options).ReadDeviceIdAsync();
            await EnrollAsync(options, id, owner);
            ids.Add(id);
        }
        using var http = tenant.Http;

        Assert.Equal(HttpStatusCode.NoContent, (await http.PostAsJsonAsync($"/api/v1/devices/{ids[0]}/links", new { deviceId = ids[1] })).StatusCode);
        Assert.Equal([new DeviceLinkView(ids[1], "operator")], (await DeviceAsync(tenant, ids[0])).Links);
        Assert.Equal([new DeviceLinkView(ids[0], "operator")], (await DeviceAsync(tenant, ids[1])).Links);
        var listed = await ListedLinksAsync(tenant);
        Assert.Equal([ids[1]], listed[ids[0]]);
        Assert.Equal([ids[0]], listed[ids[1]]);

        // another tenant's device, either way round, is not found and nothing changes on either side
        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsJsonAsync($"/api/v1/devices/{ids[0]}/links", new { deviceId = ids[2] })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsJsonAsync($"/api/v1/devices/{ids[2]}/links", new { deviceId = ids[0] })).StatusCode);
        Assert.Single((await DeviceAsync(tenant, ids[0])).Links);
        Assert.Empty((await DeviceAsync(other, ids[2])).Links);
        // bad input: itself, no id, not an id
        foreach (var body in new object[] { new { deviceId = ids[0] }, new { }, new { deviceId = "not/an id" } })
            Assert.Equal(HttpStatusCode.BadRequest, (await http.PostAsJsonAsync($"/api/v1/devices/{ids[0]}/links", body)).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"/api/v1/devices/{ids[1]}/links/{ids[0]}")).StatusCode);
        Assert.Empty((await DeviceAsync(tenant, ids[0])).Links);
        Assert.Empty((await DeviceAsync(tenant, ids[1])).Links);
        Assert.All((await ListedLinksAsync(tenant)).Values, Assert.Empty);
        Assert.Empty((await ListedLinksAsync(other))[ids[2]]);
        Assert.Equal(HttpStatusCode.NotFound, (await http.DeleteAsync($"/api/v1/devices/{ids[1]}/links/{ids[0]}")).StatusCode);
        var log = await service.ReadAuditLogAsync(tenant.TenantId);
        Assert.Equal(2, log.Count(e => e.Event.Action == "link" && e.Event.Details!["basis"] == "operator"));
        Assert.Equal(2, log.Count(e => e.Event.Action == "unlink"));
    }
}
