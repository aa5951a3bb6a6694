using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Storage;
using IoTIdentity.TestKit;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// <c>GET /api/v1/devices</c> filters over a tenant's inventory: group, tag, id prefix and state, alone and together;
/// and every filter value that could match nothing refused with the values that could, never an empty page.
/// </summary>
public sealed class DeviceListFilterTests(ServiceFixture service) : IClassFixture<ServiceFixture>
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A tenant with groups line-1 and line-2 and 24 inventory rows spread over them, two tags and two states.</summary>
    private async Task<(TestTenant Tenant, List<DeviceRecord> Rows)> TenantAsync()
    {
        var tenant = await service.CreateTenantAsync($"fl-{Guid.NewGuid():N}"[..20], []);
        using var http = tenant.Http;
        foreach (var group in new[] { "line-1", "line-2" })
            Assert.Equal(HttpStatusCode.OK, (await http.PutAsJsonAsync($"/api/v1/enrollment-groups/{group}", new { })).StatusCode);
        var rows = Enumerable.Range(0, 24).Select(i => new DeviceRecord(tenant.TenantId, $"{(i % 2 == 0 ? "ab" : "cd")}{i:x2}{new string('0', 60)}",
            i % 3 == 0 ? "Revoked" : "Active", null, null, null, true, T0, GroupId: i % 4 == 0 ? "line-2" : "line-1",
            Tags: i % 5 == 0 ? ["site:berlin"] : ["floor=2", "site:paris"])).ToList();
        foreach (var row in rows) await service.Store.UpsertDeviceAsync(row);
        return (tenant, rows);
    }

    private static async Task<List<string>> ListAsync(HttpClient http, string query)
    {
        var ids = new List<string>();
        string? token = null;
        do
        {
            var response = await http.GetAsync($"/api/v1/devices?{query}&pageSize=5{(token is null ? "" : $"&continuationToken={token}")}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var page = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            ids.AddRange(page["items"]!.AsArray().Select(d => d!["deviceId"]!.GetValue<string>()));
            token = page["continuationToken"]?.GetValue<string>();
        }
        while (token is not null);
        return ids;
    }

    [Fact]
    public async Task Group_tag_prefix_and_state_filters_list_exactly_the_matching_devices_alone_and_together()
    {
        var (tenant, rows) = await TenantAsync();
        using var http = tenant.Http;
        string[] Expected(Func<DeviceRecord, bool> filter) => rows.Where(filter).Select(d => d.DeviceId).Order(StringComparer.Ordinal).ToArray();

        Assert.Equal(Expected(d => d.GroupId == "line-2"), await ListAsync(http, "groupId=line-2"));
        Assert.Equal(Expected(d => d.Tags.Contains("site:berlin")), await ListAsync(http, "tag=site:berlin"));
        Assert.Equal(Expected(d => d.DeviceId.StartsWith("cd", StringComparison.Ordinal)), await ListAsync(http, "deviceIdPrefix=cd"));
        Assert.Equal(Expected(d => d.State == "Revoked"), await ListAsync(http, "state=revoked"));
        Assert.Equal(Expected(d => d.GroupId == "line-1" && d.Tags.Contains("floor=2") && d.DeviceId.StartsWith("ab", StringComparison.Ordinal) && d.State == "Active"),
            await ListAsync(http, "groupId=line-1&tag=floor%3D2&deviceIdPrefix=ab&state=Active"));
        var listed = JsonNode.Parse(await http.GetStringAsync($"/api/v1/devices?deviceIdPrefix={rows[0].DeviceId}"))!["items"]![0]!;
        Assert.Equal("line-2", listed["groupId"]!.GetValue<string>());
        Assert.Equal(["site:berlin"], listed["tags"]!.AsArray().Select(t => t!.GetValue<string>()));
    }

    public static TheoryData<string, string[]> UnknownFilters => new()
    {
        { "state=Bogus", Enum.GetNames<DeviceStatus>() },
        { "state=2", Enum.GetNames<DeviceStatus>() },
        { "state=Active,Revoked", Enum.GetNames<DeviceStatus>() },
        { "groupId=line-3", ["line-1", "line-2"] },
        { "groupId=LINE-1", ["line-1", "line-2"] },
        { "compliant=maybe", ["true", "false"] },
        { "tag=site%20berlin", ["letters, digits"] },
        { "deviceIdPrefix=AB", ["lowercase hex"] },
        { "deviceIdPrefix=xyz", ["lowercase hex"] },
    };

    [Theory]
    [MemberData(nameof(UnknownFilters))]
    public async Task A_filter_value_that_can_match_nothing_is_a_400_naming_the_values_that_can(string query, string[] named)
    {
        var (tenant, _) = await TenantAsync();
        using var http = tenant.Http;

        var response = await http.GetAsync($"/api/v1/devices?{query}");
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("MalformedRequest", problem["error"]!.GetValue<string>());
        Assert.All(named, value => Assert.Contains(value, problem["detail"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Another_tenants_group_is_not_a_valid_filter_and_is_not_named()
    {
        var (tenant, _) = await TenantAsync();
        var (other, _) = await TenantAsync();
        using var otherHttp = other.Http;
        await otherHttp.PutAsJsonAsync("/api/v1/enrollment-groups/secret-line", new { });
        using var http = tenant.Http;

        var response = await http.GetAsync("/api/v1/devices?groupId=secret-line");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.EndsWith("(default, line-1, line-2)", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["detail"]!.GetValue<string>());
    }
}
