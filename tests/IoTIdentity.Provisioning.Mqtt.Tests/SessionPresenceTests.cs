using MQTTnet;

namespace IoTIdentity.Provisioning.Mqtt.Tests;

/// <summary>
/// What the endpoint tells the service about a device's presence: its authenticated session opening and closing, once
/// each (never per message), and nothing about enrolment-only sessions, whose client id anyone may claim.
/// </summary>
public sealed class SessionPresenceTests : IDisposable
{
    private readonly TenantDevices _tenant = new();

    public void Dispose() => _tenant.Dispose();

    private static async Task<List<(string DeviceId, bool Connected, DateTimeOffset At)>> ChangesOfAsync(EndpointHarness harness, string deviceId, int count)
    {
        for (var waited = TimeSpan.Zero; waited < Bounded.Default; waited += TimeSpan.FromMilliseconds(50))
        {
            var changes = harness.Handler.SessionChanges.Where(c => c.DeviceId == deviceId).ToList();
            if (changes.Count >= count) return changes;
            await Task.Delay(50);
        }
        return harness.Handler.SessionChanges.Where(c => c.DeviceId == deviceId).ToList();
    }

    [Fact]
    public async Task An_authenticated_session_is_reported_when_it_opens_and_when_it_closes_and_not_per_message()
    {
        await using var harness = await EndpointHarness.StartAsync(verifier: _tenant.Verifier);
        var id = EndpointHarness.NewDeviceId();
        using var certificate = _tenant.Issue(id);
        var before = DateTimeOffset.UtcNow;

        var client = await harness.ConnectAsync(id, clientCertificate: certificate);
        for (var i = 0; i < 5; i++)
            await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"iotid/v1/{id}/req/register")
                .WithResponseTopic($"iotid/v1/{id}/res/register").WithCorrelationData([(byte)i]).WithPayload("{}").Build()).Within();
        var opened = await ChangesOfAsync(harness, id, 1);
        await client.DisconnectAsync().Within();
        var both = await ChangesOfAsync(harness, id, 2);

        Assert.Single(opened);
        Assert.Equal(2, both.Count);
        Assert.True(both[0].Connected);
        Assert.False(both[1].Connected);
        Assert.All(both, c => Assert.InRange(c.At, before, DateTimeOffset.UtcNow));
        Assert.True(both[1].At >= both[0].At);
    }

    [Fact]
    public async Task An_enrolment_only_session_is_never_reported()
    {
        await using var harness = await EndpointHarness.StartAsync(verifier: _tenant.Verifier);
        var id = EndpointHarness.NewDeviceId();
        using var certificate = _tenant.Issue(id);

        var anonymous = await harness.ConnectAsync(id);
        await anonymous.DisconnectAsync().Within();
        // an authenticated session afterwards is reported: the anonymous one would have been seen by then
        var authenticated = await harness.ConnectAsync(id, clientCertificate: certificate);
        var changes = await ChangesOfAsync(harness, id, 1);

        Assert.Equal([(id, true)], changes.Select(c => (c.DeviceId, c.Connected)));
        await authenticated.DisconnectAsync().Within();
    }
}
