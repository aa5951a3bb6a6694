using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.TestKit;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// A real swtpm device's owner-set tags (set, shown, searchable, refused when malformed, cleared by nothing else) and its
/// presence (connected and last seen) as its grain records the MQTT endpoint's session reports.
/// </summary>
public sealed class DeviceTagsAndPresenceTests(ServiceFixture service) : SwtpmBench, IClassFixture<ServiceFixture>
{
    private const int TestTimeout = 120_000;

    private async Task<(TestTenant Tenant, string DeviceId)> EnrolledDeviceAsync()
    {
        var tenant = await service.CreateTenantAsync($"tg-{Guid.NewGuid():N}"[..20], [Manufacturer.RootDer]);
        var enrollment = new TpmEnrollment(Tpm, await VirtualDevices.ManufactureAsync(Tpm, Manufacturer));
        var deviceId = await enrollment.ReadDeviceIdAsync();
        await using var client = await service.ConnectAsync(deviceId);
        await enrollment.EnrollAsync(client);
        return (tenant, deviceId);
    }

    private static async Task<JsonNode> DeviceAsync(HttpClient http, string deviceId) =>
        JsonNode.Parse(await http.GetStringAsync($"/api/v1/devices/{deviceId}"))!;

    private static async Task<JsonNode> RowAsync(HttpClient http, string deviceId) =>
        JsonNode.Parse(await http.GetStringAsync($"/api/v1/devices?deviceIdPrefix={deviceId}"))!["items"]!.AsArray().Single()!;

    [Fact(Timeout = TestTimeout)]
    public async Task The_owner_tags_a_device_and_finds_it_by_any_of_its_tags_sorted_and_without_duplicates()
    {
        var (tenant, deviceId) = await EnrolledDeviceAsync();
        using var http = tenant.Http;

        var put = await http.PutAsJsonAsync($"/api/v1/devices/{deviceId}/tags", new { tags = new[] { "site:berlin", "floor=2", "site:berlin" } });

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(["floor=2", "site:berlin"], (await DeviceAsync(http, deviceId))["tags"]!.AsArray().Select(t => t!.GetValue<string>()));
        foreach (var tag in new[] { "floor%3D2", "site:berlin" })
            Assert.Equal([deviceId], JsonNode.Parse(await http.GetStringAsync($"/api/v1/devices?tag={tag}"))!["items"]!.AsArray()
                .Select(d => d!["deviceId"]!.GetValue<string>()));
        Assert.Empty(JsonNode.Parse(await http.GetStringAsync("/api/v1/devices?tag=site"))!["items"]!.AsArray());
        var change = JsonNode.Parse(await http.GetStringAsync($"/api/v1/audit?deviceId={deviceId}&action=device-tags"))!["items"]!.AsArray().Single()!["event"]!;
        Assert.Equal("floor=2 site:berlin", change["details"]!["after"]!.GetValue<string>());

        // an empty list clears them
        Assert.Equal(HttpStatusCode.OK, (await http.PutAsJsonAsync($"/api/v1/devices/{deviceId}/tags", new { tags = Array.Empty<string>() })).StatusCode);
        Assert.Empty((await RowAsync(http, deviceId))["tags"]!.AsArray());
    }

    public static TheoryData<string> BadTags => new()
    {
        """{"tags":["site berlin"]}""",
        """{"tags":[""]}""",
        $$"""{"tags":["{{new string('t', DeviceTags.MaxLength + 1)}}"]}""",
        $$"""{"tags":[{{string.Join(',', Enumerable.Range(0, DeviceTags.MaxCount + 1).Select(i => $"\"t{i}\""))}}]}""",
        """{"tags":["ok","naïve"]}""",
        """{}""",
    };

    [Theory(Timeout = TestTimeout)]
    [MemberData(nameof(BadTags))]
    public async Task Malformed_tags_are_refused_and_leave_the_devices_tags_as_they_were(string body)
    {
        var (tenant, deviceId) = await EnrolledDeviceAsync();
        using var http = tenant.Http;
        await http.PutAsJsonAsync($"/api/v1/devices/{deviceId}/tags", new { tags = new[] { "kept" } });

        var response = await http.PutAsync($"/api/v1/devices/{deviceId}/tags", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["kept"], (await DeviceAsync(http, deviceId))["tags"]!.AsArray().Select(t => t!.GetValue<string>()));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Session_reports_set_connected_and_last_seen_and_a_late_older_report_changes_nothing()
    {
        var (tenant, deviceId) = await EnrolledDeviceAsync();
        using var http = tenant.Http;
        var grain = service.Grains.GetGrain<IDeviceGrain>(deviceId);
        var t0 = DateTimeOffset.UtcNow;
        var enrolled = await RowAsync(http, deviceId);
        Assert.False(enrolled["connected"]!.GetValue<bool>());
        Assert.True(enrolled["lastSeenAt"]!.GetValue<DateTimeOffset>() <= t0);   // the accepted attestation

        await grain.RecordPresenceAsync(connected: true, t0.AddSeconds(1));
        var connected = await RowAsync(http, deviceId);
        await grain.RecordPresenceAsync(connected: false, t0.AddSeconds(5));
        await grain.RecordPresenceAsync(connected: true, t0.AddSeconds(3)); // crossed on the way: older than what is recorded
        var disconnected = await RowAsync(http, deviceId);
        var details = await DeviceAsync(http, deviceId);

        Assert.True(connected["connected"]!.GetValue<bool>());
        Assert.Equal(t0.AddSeconds(1), connected["lastSeenAt"]!.GetValue<DateTimeOffset>());
        Assert.False(disconnected["connected"]!.GetValue<bool>());
        Assert.Equal(t0.AddSeconds(5), disconnected["lastSeenAt"]!.GetValue<DateTimeOffset>());
        Assert.False(details["connected"]!.GetValue<bool>());
        Assert.Equal(t0.AddSeconds(5), details["lastSeenAt"]!.GetValue<DateTimeOffset>());
    }

    [Fact(Timeout = TestTimeout)]
    public async Task An_accepted_attestation_refreshes_last_seen_in_the_write_it_makes_and_never_moves_it_back()
    {
        var (tenant, deviceId) = await EnrolledDeviceAsync();
        using var http = tenant.Http;
        var details = await DeviceAsync(http, deviceId);
        var row = await RowAsync(http, deviceId);

        Assert.Equal(details["lastAttestedAt"]!.GetValue<DateTimeOffset>(), details["lastSeenAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal(details["lastSeenAt"]!.GetValue<DateTimeOffset>(), row["lastSeenAt"]!.GetValue<DateTimeOffset>());

        var later = DateTimeOffset.UtcNow.AddMinutes(5);   // a session report newer than a request that follows it
        var state = new Provisioning.Grains.Devices.DeviceState { LastSeenAt = later };
        Assert.Equal(later, Provisioning.Grains.Devices.DevicePresence.SeenAt(state, later.AddMinutes(-1)));
        Assert.False(Provisioning.Grains.Devices.DevicePresence.RowIsStale(state, later.AddSeconds(59)));
        Assert.True(Provisioning.Grains.Devices.DevicePresence.RowIsStale(state, later.AddMinutes(1)));
    }
}
