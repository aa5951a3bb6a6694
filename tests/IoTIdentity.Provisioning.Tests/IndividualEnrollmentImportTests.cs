using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.TestKit;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// <c>GET /api/v1/individual-enrollments</c> (paged, in device id order, only the caller's) and
/// <c>POST /api/v1/individual-enrollments/import</c>: rows by device id or by EK certificate (the id derived from the
/// certificate's key is the one the swtpm gives the device), each row enrolled or refused on its own.
/// </summary>
public sealed class IndividualEnrollmentImportTests(ServiceFixture service) : SwtpmBench, IClassFixture<ServiceFixture>
{
    private const int TestTimeout = 120_000;

    private Task<TestTenant> TenantAsync() => service.CreateTenantAsync($"ie-{Guid.NewGuid():N}"[..20], [Manufacturer.RootDer]);

    private static string RandomId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    private static async Task<List<JsonNode>> ListAllAsync(HttpClient http, int pageSize)
    {
        var items = new List<JsonNode>();
        string? token = null;
        do
        {
            var page = JsonNode.Parse(await http.GetStringAsync($"/api/v1/individual-enrollments?pageSize={pageSize}{(token is null ? "" : $"&continuationToken={token}")}"))!;
            items.AddRange(page["items"]!.AsArray().Select(n => n!));
            token = page["continuationToken"]?.GetValue<string>();
        }
        while (token is not null);
        return items;
    }

    [Fact(Timeout = TestTimeout)]
    public async Task The_list_pages_through_the_tenants_enrolments_in_id_order_and_shows_no_other_tenants()
    {
        var tenant = await TenantAsync();
        var other = await TenantAsync();
        using var http = tenant.Http;
        using var otherHttp = other.Http;
        var mine = Enumerable.Range(0, 23).Select(_ => RandomId()).ToList();
        foreach (var id in mine)
            Assert.Equal(HttpStatusCode.OK, (await http.PutAsJsonAsync($"/api/v1/individual-enrollments/{id}", new { groupId = "default", enabled = id[1] != '0' })).StatusCode);
        foreach (var _ in Enumerable.Range(0, 5))
            await otherHttp.PutAsJsonAsync($"/api/v1/individual-enrollments/{RandomId()}", new { groupId = "default" });
        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"/api/v1/individual-enrollments/{mine[0]}")).StatusCode);

        foreach (var pageSize in new[] { 1, 4, 100 })
        {
            var listed = await ListAllAsync(http, pageSize);

            Assert.Equal(mine.Skip(1).Order(StringComparer.Ordinal), listed.Select(e => e["deviceId"]!.GetValue<string>()));
            Assert.All(listed, e => Assert.Equal("default", e["groupId"]!.GetValue<string>()));
            Assert.All(listed, e => Assert.Equal(e["deviceId"]!.GetValue<string>()[1] != '0', e["enabled"]!.GetValue<bool>()));
        }
        Assert.Equal(5, (await ListAllAsync(otherHttp, 2)).Count);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("/api/v1/individual-enrollments?continuationToken=bm90IGhleA")).StatusCode);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task An_import_enrols_good_rows_by_id_or_EK_certificate_and_reports_each_bad_row_without_changing_anything_for_it()
    {
        var tenant = await TenantAsync();
        // trusting no manufacturer, so the devices below are the first tenant's alone
        var other = await service.CreateTenantAsync($"ie-{Guid.NewGuid():N}"[..20], []);
        using var http = tenant.Http;
        using var otherHttp = other.Http;
        var rsa = await VirtualDevices.ManufactureAsync(Tpm, Manufacturer, "rsa");
        var ecc = await VirtualDevices.ManufactureAsync(Tpm, Manufacturer, "ecc");
        var rsaId = await new TpmEnrollment(Tpm, rsa).ReadDeviceIdAsync();
        var eccId = await new TpmEnrollment(Tpm, ecc).ReadDeviceIdAsync();
        var byId = RandomId();
        var othersDevice = RandomId();
        await otherHttp.PutAsJsonAsync($"/api/v1/individual-enrollments/{othersDevice}", new { groupId = "default" });
        await http.PutAsJsonAsync("/api/v1/enrollment-groups/line-2", new { });

        var response = await http.PostAsJsonAsync("/api/v1/individual-enrollments/import", new
        {
            groupId = "default",
            rows = new object?[]
            {
                new { ekCertificate = new string(PemEncoding.Write("CERTIFICATE", rsa.EkCertificate!)) },
                new { ekCertificate = Convert.ToBase64String(ecc.EkCertificate!), groupId = "line-2" },
                new { deviceId = byId, enabled = false },
                new { deviceId = othersDevice, groupId = "line-2" },
                new { deviceId = "NOT-HEX" },
                new { ekCertificate = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----" },
                new { deviceId = RandomId(), groupId = "no-such-group" },
                new { deviceId = byId },
                new { deviceId = RandomId(), ekCertificate = Convert.ToBase64String(ecc.EkCertificate!) },
                new { },
                new { deviceId = RandomId(), claimCodeSha256 = "abc" },
            },
        });
        var report = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var results = report["results"]!.AsArray().Select(r => r!).ToList();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(report["enrolled"]!.GetValue<int>() == 4, report.ToJsonString());
        Assert.Equal(7, report["refused"]!.GetValue<int>());
        Assert.Equal(Enumerable.Range(1, 11), results.Select(r => r["row"]!.GetValue<int>()));
        Assert.Equal([rsaId, eccId, byId, othersDevice], results.Take(4).Select(r => r["deviceId"]!.GetValue<string>()));
        Assert.Equal(["MalformedRequest", "MalformedRequest", "NotFound", "Conflict", "MalformedRequest", "MalformedRequest", "MalformedRequest"],
            results.Skip(4).Select(r => r["error"]!.GetValue<string>()));
        Assert.All(results.Skip(4), r => Assert.False(string.IsNullOrEmpty(r["detail"]!.GetValue<string>())));
        var listed = await ListAllAsync(http, 100);
        Assert.Equal(new[] { rsaId, eccId, byId, othersDevice }.Order(StringComparer.Ordinal), listed.Select(e => e["deviceId"]!.GetValue<string>()));
        Assert.Equal("line-2", listed.Single(e => e["deviceId"]!.GetValue<string>() == eccId)["groupId"]!.GetValue<string>());
        Assert.False(listed.Single(e => e["deviceId"]!.GetValue<string>() == byId)["enabled"]!.GetValue<bool>());
        // the other tenant's enrolment of the same unowned device is its own slot: both stand, neither sees the other's
        Assert.Equal("line-2", (await http.GetFromJsonAsync<JsonNode>($"/api/v1/individual-enrollments/{othersDevice}"))!["groupId"]!.GetValue<string>());
        Assert.Equal("default", (await otherHttp.GetFromJsonAsync<JsonNode>($"/api/v1/individual-enrollments/{othersDevice}"))!["groupId"]!.GetValue<string>());
        Assert.Equal([othersDevice], (await ListAllAsync(otherHttp, 100)).Select(e => e["deviceId"]!.GetValue<string>()));

        // the id derived from the certificate is the one the device enrols with, under the enrolment the import made
        await using var client = await service.ConnectAsync(rsaId);
        var enrolled = await new TpmEnrollment(Tpm, rsa with { EnrollmentScope = tenant.TenantId }).EnrollAsync(client);
        Assert.Equal(rsaId, enrolled.DeviceId);
        Assert.Equal(tenant.TenantId, enrolled.Issued.Owner);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task An_import_without_rows_or_with_too_many_is_refused_whole()
    {
        var tenant = await TenantAsync();
        using var http = tenant.Http;

        var empty = await http.PostAsJsonAsync("/api/v1/individual-enrollments/import", new { rows = Array.Empty<object>() });
        var tooMany = await http.PostAsJsonAsync("/api/v1/individual-enrollments/import",
            new { groupId = "default", rows = Enumerable.Range(0, 1001).Select(_ => new { deviceId = RandomId() }) });

        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.Contains("at most 1000 rows", await tooMany.Content.ReadAsStringAsync());
        Assert.Empty(await ListAllAsync(http, 10));
    }
}
