using System.Collections.Concurrent;
using System.Net;
using System.Text;
using IoTIdentity.Protocol;
using IoTIdentity.Provisioning.Mqtt;
using MQTTnet;

namespace IoTIdentity.Provisioning.Mqtt.Tests;

/// <summary>
/// An enrolment-only session proves nothing, and anyone can connect as any device id: such connections of one id must
/// not be able to end, answer for, or use up one another. Each keeps its session (MQTTnet would take a session over
/// for a second client of the same id), gets the replies to its own requests only, has its own queue, and the device's
/// request allowance is its own per source address. A client cannot name another connection's session, and revoking a
/// device ends all of its sessions. Properties over random orders, numbers of connections and sources.
/// </summary>
public sealed class EnrolmentSessionTests
{
    private static readonly IPAddress[] Sources = [IPAddress.Parse("127.0.0.1"), IPAddress.Parse("127.0.0.2"), IPAddress.Parse("127.0.0.3")];

    [Fact]
    public async Task Enrolment_only_connections_of_one_device_id_never_end_each_other_and_each_gets_only_its_own_replies()
    {
        await using var harness = await EndpointHarness.StartAsync(o => o.DeviceRequestsPerWindow = 1_000);
        var random = new Random(2_026);
        for (var trial = 0; trial < 12; trial++)
        {
            var id = EndpointHarness.NewDeviceId();
            var count = random.Next(2, 5);
            var connections = new List<(RawDevice Device, List<string> Sent, ConcurrentQueue<MqttClientDisconnectedEventArgs> Ended)>();
            // connects and requests interleaved at random: every connection after the first meets live ones of its id
            var steps = Enumerable.Repeat(0, count).Concat(Enumerable.Repeat(1, 2 * count)).OrderBy(_ => random.Next()).ToList();
            var toConnect = count;
            foreach (var step in steps)
            {
                if ((step == 0 && toConnect > 0) || connections.Count == 0)
                {
                    var device = await RawDevice.ConnectAsync(harness, id, source: Sources[random.Next(Sources.Length)]);
                    var ended = new ConcurrentQueue<MqttClientDisconnectedEventArgs>();
                    device.Client.DisconnectedAsync += e => { ended.Enqueue(e); return Task.CompletedTask; };
                    connections.Add((device, [], ended));
                    toConnect--;
                    continue;
                }
                var at = random.Next(connections.Count);
                var body = $"trial {trial} connection {at} request {connections[at].Sent.Count}";
                connections[at].Sent.Add(body);
                var ack = await connections[at].Device.RequestAsync(Topics.Operations.Register, Encoding.UTF8.GetBytes(body), [(byte)at, (byte)connections[at].Sent.Count]);
                Assert.Equal(MqttClientPublishReasonCode.Success, ack.ReasonCode);
            }

            foreach (var (device, sent, ended) in connections)
            {
                var received = new List<string>();
                foreach (var _ in sent) received.Add(Encoding.UTF8.GetString((await device.NextAsync()).Payload));
                Assert.Equal(sent, received);   // its own replies, in its order
                Assert.True(await device.NothingArrivesAsync(TimeSpan.FromMilliseconds(100)), $"trial {trial}: a connection received another's reply");
                Assert.True(device.Client.IsConnected && ended.IsEmpty, $"trial {trial}: a connection of {id} was ended by another of the same id");
            }
            foreach (var (device, _, _) in connections) await device.Client.DisconnectAsync();
        }
    }

    [Fact]
    public async Task A_client_cannot_name_an_enrolment_only_session_itself_nor_disturb_the_one_that_has_it()
    {
        await using var harness = await EndpointHarness.StartAsync();
        var device = await RawDevice.ConnectAsync(harness);
        var ended = false;
        device.Client.DisconnectedAsync += _ => { ended = true; return Task.CompletedTask; };

        // the endpoint's own form, {id}#{serial}, for every serial this endpoint can have given out so far, and near forms
        string[] named = [.. Enumerable.Range(0, 24).Select(n => $"{device.Id}#{n:x}"), $"{device.Id}#", $"#{device.Id}", $"{device.Id}#1#1"];
        foreach (var clientId in named)
        {
            var result = await harness.CreateClient().ConnectAsync(harness.ClientOptions(clientId), CancellationToken.None).Within();
            Assert.Equal(MqttClientConnectResultCode.ClientIdentifierNotValid, result.ResultCode);
        }

        Assert.Equal(named.Length, harness.RefusalCount(MqttRefusals.ClientId));
        await device.RequestAsync(Topics.Operations.Register, "{}"u8.ToArray(), [7]);
        Assert.Equal([7], (await device.NextAsync()).CorrelationData);
        Assert.False(ended);
    }

    [Fact]
    public async Task A_stranger_with_the_device_id_elsewhere_fills_only_its_own_queue_and_spends_only_its_own_allowance()
    {
        var release = new TaskCompletionSource<DeviceReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new FakeHandler((request, _) => Encoding.UTF8.GetString(request.Payload.Span) == "stall"
            ? release.Task
            : Task.FromResult(new DeviceReply(request.Payload)));
        await using var harness = await EndpointHarness.StartAsync(
            o => (o.DeviceRequestsPerWindow, o.DeviceRateWindow, o.MaxPendingRequestsPerClient) = (3, TimeSpan.FromHours(1), 2), handler);
        var id = EndpointHarness.NewDeviceId();
        try
        {
            // the stranger, from 127.0.0.2: two requests the handler holds fill its queue, the third finds it full, the
            // fourth finds its allowance spent
            var stranger = await RawDevice.ConnectAsync(harness, id, source: Sources[1]);
            for (byte i = 0; i < 2; i++)
                Assert.Equal(MqttClientPublishReasonCode.Success, (await stranger.RequestAsync(Topics.Operations.Register, "stall"u8.ToArray(), [i])).ReasonCode);
            (await stranger.RequestAsync(Topics.Operations.Register, "stall"u8.ToArray(), [2])).IsRefusal(ProvisioningError.RateLimited);
            Assert.Equal(1, harness.RefusalCount(MqttRefusals.TooManyPending));
            (await stranger.RequestAsync(Topics.Operations.Register, "stall"u8.ToArray(), [3])).IsRefusal(ProvisioningError.RateLimited);
            Assert.Equal(1, harness.RefusalCount(MqttRefusals.DeviceRate));

            // the device, from 127.0.0.1, has its whole allowance and a queue of its own
            var device = await RawDevice.ConnectAsync(harness, id, source: Sources[0]);
            for (byte i = 0; i < 3; i++)
            {
                Assert.Equal(MqttClientPublishReasonCode.Success, (await device.RequestAsync(Topics.Operations.Register, [i], [i])).ReasonCode);
                Assert.Equal([i], (await device.NextAsync()).Payload.ToArray());
            }
            // ... and no more than that
            (await device.RequestAsync(Topics.Operations.Register, [9], [9])).IsRefusal(ProvisioningError.RateLimited);
            Assert.Equal(2, harness.RefusalCount(MqttRefusals.DeviceRate));

            // another connection from the stranger's source shares the stranger's allowance, not the device's
            var again = await RawDevice.ConnectAsync(harness, id, source: Sources[1]);
            (await again.RequestAsync(Topics.Operations.Register, [1], [1])).IsRefusal(ProvisioningError.RateLimited);
            Assert.Equal(3, harness.RefusalCount(MqttRefusals.DeviceRate));
            Assert.True(stranger.Client.IsConnected && device.Client.IsConnected && again.Client.IsConnected);
        }
        finally
        {
            release.TrySetResult(new DeviceReply("{}"u8.ToArray()));
        }
    }

    [Fact]
    public async Task Closing_a_devices_sessions_ends_every_one_of_its_enrolment_only_connections_and_no_other_devices()
    {
        await using var harness = await EndpointHarness.StartAsync();
        var id = EndpointHarness.NewDeviceId();
        var mine = new[] { await RawDevice.ConnectAsync(harness, id), await RawDevice.ConnectAsync(harness, id, source: Sources[2]) };
        var other = await RawDevice.ConnectAsync(harness);
        var prefixed = await RawDevice.ConnectAsync(harness, id[..^1]);   // an id that is a prefix of the device's is another device

        Assert.Equal(2, await harness.Endpoint.CloseSessionsAsync(id).Within());

        foreach (var device in mine)
            for (var wait = 0; device.Client.IsConnected && wait < 100; wait++) await Task.Delay(50);
        Assert.All(mine, d => Assert.False(d.Client.IsConnected));
        Assert.True(other.Client.IsConnected && prefixed.Client.IsConnected);
    }
}
