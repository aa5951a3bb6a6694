using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Simulator.Swtpm;
using IoTIdentity.Simulator.Swtpm.Manufacturing;
using IoTIdentity.Tpm.Commands;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// Tenant isolation and roles over the whole management API. Tenant A owns an enrolled device (with a certificate, an
/// individual enrolment, a group and API keys); tenant B's key calls every endpoint on A's resources and must get
/// exactly the answer (status and problem body) a nonexistent id gets. Add a row to <see cref="Endpoints"/> for every
/// new endpoint that takes an id.
/// </summary>
public sealed class TenantIsolationTests(ServiceFixture service) : IClassFixture<ServiceFixture>, IAsyncLifetime
{
    private const int TestTimeout = 120_000;
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static readonly Dictionary<ServiceFixture, World> Worlds = [];

    /// <summary>method, path (placeholders {device}, {serial}, {group}, {keyId}, {transfer}), JSON body or null.</summary>
    public static TheoryData<string, string, string?> Endpoints => new()
    {
        { "GET", "/api/v1/devices/{device}", null },
        { "POST", "/api/v1/devices/{device}/disable", null },
        { "POST", "/api/v1/devices/{device}/enable", null },
        { "POST", "/api/v1/devices/{device}/revoke", """{"reason":"keyCompromise"}""" },
        { "GET", "/api/v1/certificates/{serial}", null },
        { "POST", "/api/v1/certificates/{serial}/revoke", """{"reason":"keyCompromise"}""" },
        { "GET", "/api/v1/enrollment-groups/{group}", null },
        { "DELETE", "/api/v1/enrollment-groups/{group}", null },
        { "GET", "/api/v1/individual-enrollments/{device}", null },
        { "DELETE", "/api/v1/individual-enrollments/{device}", null },
        { "DELETE", "/api/v1/api-keys/{keyId}", null },
        { "GET", "/api/v1/transfers/{transfer}", null },
        { "POST", "/api/v1/transfers/{transfer}/accept", "{}" },
        { "POST", "/api/v1/transfers/{transfer}/cancel", null },
        { "GET", "/api/v1/devices/{device}/ownership", null },
        { "PUT", "/api/v1/devices/{device}/tags", """{"tags":["stolen"]}""" },
    };

    private sealed record World(TestTenant A, TestTenant B, string DeviceId, string Serial, string KeyId, string OperatorKey, string AuditorKey, string TransferId);

    private SwtpmBench? _bench;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_bench is not null) await _bench.DisposeAsync();
    }

    private async Task<World> WorldAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (Worlds.TryGetValue(service, out var world)) return world;
            _bench = await SwtpmBench.StartAsync();
            var (tpm, manufacturer) = (_bench.Tpm, _bench.Manufacturer);
            var a = await service.CreateTenantAsync($"iso-a-{Guid.NewGuid():N}"[..20], [manufacturer.RootDer]);
            var b = await service.CreateTenantAsync($"iso-b-{Guid.NewGuid():N}"[..20], []);
            var put = await a.Http.PutAsJsonAsync("/api/v1/enrollment-groups/a-only", new { trustedRootsPem = Array.Empty<string>() });
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);

            var options = await VirtualDevices.ManufactureAsync(tpm, manufacturer);
            var enrollment = new TpmEnrollment(tpm, options);
            var deviceId = await enrollment.ReadDeviceIdAsync();
            Assert.Equal(HttpStatusCode.OK, (await a.Http.PutAsJsonAsync($"/api/v1/individual-enrollments/{deviceId}", new { groupId = "default" })).StatusCode);
            await using var client = await service.ConnectAsync(deviceId);
            var enrolled = await enrollment.EnrollAsync(client);

            var tenant = service.Grains.GetGrain<ITenantGrain>(a.TenantId);
            var operatorKey = await tenant.CreateApiKeyAsync(ApiRole.Operator, "operator");
            var auditorKey = await tenant.CreateApiKeyAsync(ApiRole.Auditor, "auditor");
            // an open transfer of A's device to a third tenant C: B is party to neither side
            var c = await service.CreateTenantAsync($"iso-c-{Guid.NewGuid():N}"[..20], []);
            var transfer = await a.Http.PostAsJsonAsync("/api/v1/transfers", new { targetTenantId = c.TenantId, deviceIds = new[] { deviceId } });
            Assert.Equal(HttpStatusCode.Created, transfer.StatusCode);
            var transferId = JsonNode.Parse(await transfer.Content.ReadAsStringAsync())!["transferId"]!.GetValue<string>();
            world = new World(a, b, deviceId, enrolled.Issued.SerialNumber, operatorKey.KeyId, operatorKey.Key, auditorKey.Key, transferId);
            Worlds[service] = world;
            return world;
        }
        finally
        {
            Gate.Release();
        }
    }

    private static string Fill(string path, string device, string serial, string group, string keyId, string transfer) =>
        path.Replace("{device}", device).Replace("{serial}", serial).Replace("{group}", group).Replace("{keyId}", keyId).Replace("{transfer}", transfer);

    private static async Task<(HttpStatusCode Status, string Body)> CallAsync(HttpClient http, string method, string path, string? body)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (text.Length > 0 && JsonNode.Parse(text) is JsonObject json)
        {
            json.Remove("traceId"); // differs per request by design
            text = json.ToJsonString();
        }
        return (response.StatusCode, text);
    }

    [Theory(Timeout = TestTimeout)]
    [MemberData(nameof(Endpoints))]
    public async Task Another_tenants_resource_answers_exactly_like_a_missing_one(string method, string path, string? body)
    {
        var world = await WorldAsync();
        using var b = world.B.Http;

        var theirs = await CallAsync(b, method, Fill(path, world.DeviceId, world.Serial, "a-only", world.KeyId, world.TransferId), body);
        var missing = await CallAsync(b, method, Fill(path, new string('e', 64), "7f" + new string('0', 30), "no-such-group", "000000000000", new string('0', 32)), body);

        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
        Assert.Equal(missing, theirs);
        // and A's device is untouched by B's attempts
        using var a = world.A.Http;
        var view = await a.GetFromJsonAsync<DeviceView>($"/api/v1/devices/{world.DeviceId}", ApiJson.Options);
        Assert.Equal(DeviceStatus.Active, view!.Status);
        Assert.Empty(view.Tags);
        Assert.Equal(HttpStatusCode.OK, (await a.GetAsync($"/api/v1/certificates/{world.Serial}")).StatusCode);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Another_tenants_devices_and_audit_entries_are_not_listed()
    {
        var world = await WorldAsync();
        using var b = world.B.Http;

        var devices = await b.GetStringAsync("/api/v1/devices");
        var audit = await b.GetStringAsync("/api/v1/audit");

        Assert.DoesNotContain(world.DeviceId, devices);
        Assert.DoesNotContain(world.DeviceId, audit);
        using var a = world.A.Http;
        Assert.Contains(world.DeviceId, await a.GetStringAsync("/api/v1/devices"));
    }

    public static TheoryData<string, string, string, string?, HttpStatusCode> Roles => new()
    {
        { "auditor", "POST", "/api/v1/devices/{device}/revoke", "{}", HttpStatusCode.Forbidden },
        { "auditor", "POST", "/api/v1/certificates/{serial}/revoke", "{}", HttpStatusCode.Forbidden },
        { "auditor", "POST", "/api/v1/api-keys", """{"name":"x","role":"Auditor"}""", HttpStatusCode.Forbidden },
        { "auditor", "POST", "/api/v1/devices/{device}/disable", null, HttpStatusCode.Forbidden },
        { "auditor", "PUT", "/api/v1/devices/{device}/tags", """{"tags":["x"]}""", HttpStatusCode.Forbidden },
        { "auditor", "POST", "/api/v1/individual-enrollments/import", """{"rows":[{"deviceId":"ab"}]}""", HttpStatusCode.Forbidden },
        { "auditor", "POST", "/api/v1/transfers", """{"targetTenantId":"x","deviceIds":["x"]}""", HttpStatusCode.Forbidden },
        { "auditor", "POST", "/api/v1/transfers/{transfer}/cancel", null, HttpStatusCode.Forbidden },
        { "operator", "POST", "/api/v1/transfers", """{"targetTenantId":"x","deviceIds":["x"]}""", HttpStatusCode.Forbidden },
        { "operator", "POST", "/api/v1/transfers/{transfer}/cancel", null, HttpStatusCode.Forbidden },
        { "operator", "GET", "/api/v1/api-keys", null, HttpStatusCode.Forbidden },
        { "operator", "POST", "/api/v1/api-keys", """{"name":"x","role":"Operator"}""", HttpStatusCode.Forbidden },
        { "operator", "DELETE", "/api/v1/api-keys/{keyId}", null, HttpStatusCode.Forbidden },
        { "operator", "PUT", "/api/v1/tenant/quota", """{"maxDevices":1}""", HttpStatusCode.Forbidden },
        { "operator", "PUT", "/api/v1/tenant/manufacturer-roots", """{"certificatesPem":[]}""", HttpStatusCode.Forbidden },
        { "owner-admin", "POST", "/api/v1/tenants", """{"tenantId":"sneaky","name":"x"}""", HttpStatusCode.Unauthorized },
        { "owner-admin", "GET", "/api/v1/tenants", null, HttpStatusCode.Unauthorized },
        { "owner-admin", "GET", "/api/v1/tenants/{tenant}", null, HttpStatusCode.Unauthorized },
        { "service-admin", "GET", "/api/v1/tenant", null, HttpStatusCode.Unauthorized },
        { "service-admin", "GET", "/api/v1/devices", null, HttpStatusCode.Unauthorized },
        { "service-admin", "POST", "/api/v1/devices/{device}/revoke", "{}", HttpStatusCode.Unauthorized },
        { "none", "GET", "/api/v1/tenant", null, HttpStatusCode.Unauthorized },
    };

    [Theory(Timeout = TestTimeout)]
    [MemberData(nameof(Roles))]
    public async Task A_key_without_the_role_is_refused_and_changes_nothing(string who, string method, string path, string? body, HttpStatusCode expected)
    {
        var world = await WorldAsync();
        using var http = who switch
        {
            "auditor" => service.ClientFor(world.AuditorKey),
            "operator" => service.ClientFor(world.OperatorKey),
            "owner-admin" => world.A.Http,
            "service-admin" => service.ClientFor(service.AdminKey),
            _ => new HttpClient { BaseAddress = service.BaseAddress },
        };

        var (status, text) = await CallAsync(http, method, Fill(path, world.DeviceId, world.Serial, "a-only", world.KeyId, world.TransferId).Replace("{tenant}", world.A.TenantId), body);

        Assert.Equal(expected, status);
        Assert.Contains(expected == HttpStatusCode.Forbidden ? "Forbidden" : "Unauthenticated", text);
        // the refusal names what would be needed
        var detail = JsonNode.Parse(text)!["detail"]!.GetValue<string>();
        if (expected == HttpStatusCode.Forbidden)
            Assert.Matches($"^needs role (Operator or OwnerAdmin|OwnerAdmin); this key has role {(who == "auditor" ? "Auditor" : "Operator")}$", detail);
        else Assert.StartsWith(who == "owner-admin" ? "needs the service administrator key" : "needs a tenant API key", detail);
        using var a = world.A.Http;
        Assert.Equal(DeviceStatus.Active, (await a.GetFromJsonAsync<DeviceView>($"/api/v1/devices/{world.DeviceId}", ApiJson.Options))!.Status);
        Assert.Equal(HttpStatusCode.NotFound, (await service.ClientFor(service.AdminKey).GetAsync("/api/v1/tenants/sneaky")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await service.ClientFor(world.OperatorKey).GetAsync("/api/v1/devices")).StatusCode);
    }
}

/// <summary>The API's JSON conventions (camelCase, enums as strings) for reading responses.</summary>
public static class ApiJson
{
    public static readonly System.Text.Json.JsonSerializerOptions Options = new(System.Text.Json.JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };
}
