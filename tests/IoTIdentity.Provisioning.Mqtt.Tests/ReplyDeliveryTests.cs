using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading.Channels;
using IoTIdentity.Protocol;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace IoTIdentity.Provisioning.Mqtt.Tests;

/// <summary>
/// Replies and commands go to the addressed device's session alone (not through MQTTnet's dispatch over every
/// subscribed session), and arrive exactly as MQTTnet's own dispatch delivers them: for every sequence of
/// subscriptions below, what a device receives from the endpoint is compared with what the same client receives from
/// a plain MQTTnet broker when the same message is injected there (the oracle) — how many copies, at which QoS, with
/// which subscription identifiers. A command goes only to a session the device's certificate authenticated while the
/// endpoint requires that session for everything after enrolment (the default), and an enrolment-only session's
/// subscription to it never makes the service re-send a waiting command.
/// </summary>
public sealed class ReplyDeliveryTests
{
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"hello":"service"}""");

    /// <summary>A step a device takes before the message: subscribe to a filter under its subtree (QoS, identifier) or unsubscribe from one.</summary>
    private sealed record Step(string Filter, MqttQualityOfServiceLevel Qos = MqttQualityOfServiceLevel.AtLeastOnce, uint Identifier = 0, bool Unsubscribe = false)
    {
        public override string ToString() => Unsubscribe ? $"-{Filter}" : $"+{Filter}@{(int)Qos}" + (Identifier > 0 ? $"#{Identifier}" : "");
    }

    /// <summary>What arrived: topic, QoS and sorted subscription identifiers of each copy.</summary>
    private sealed record Arrival(string Topic, MqttQualityOfServiceLevel Qos, string Identifiers);

    private static readonly Step[][] Sequences =
    [
        [],
        [new("res/#")],
        [new("res/#", MqttQualityOfServiceLevel.AtMostOnce)],
        [new("res/#", MqttQualityOfServiceLevel.ExactlyOnce)],
        [new("res/register")],
        [new("res/attest")],
        [new("res/+", MqttQualityOfServiceLevel.AtMostOnce)],
        [new("cmd")],
        [new("#", MqttQualityOfServiceLevel.AtMostOnce), new("res/+")],
        [new("#"), new("res/register", MqttQualityOfServiceLevel.AtMostOnce)],
        [new("res/#", Identifier: 7), new("+/register", Identifier: 9)],
        [new("res/#", Identifier: 7), new("res/#")],
        [new("res/#"), new("res/#", MqttQualityOfServiceLevel.AtMostOnce)],
        [new("res/#"), new("res/#", Unsubscribe: true)],
        [new("res/#"), new("cmd", Identifier: 3), new("res/#", Unsubscribe: true)],
        [new("res/#"), new("res/register"), new("res/#", Unsubscribe: true)],
        [new("+/+", Identifier: 5)],
    ];

    [Fact]
    public async Task Every_subscription_sequence_gets_a_reply_exactly_as_MQTTnets_own_dispatch_delivers_it()
    {
        await using var harness = await EndpointHarness.StartAsync();
        await using var oracle = await Oracle.StartAsync();

        var outcomes = await Task.WhenAll(Sequences.Select(async steps =>
        {
            // the service sends replies at QoS 0: MQTTnet's dispatch of a QoS 0 message is what a device must receive
            var expected = await oracle.ReceiveAsync(steps, id => Topics.Response(id, Topics.Operations.Register), MqttQualityOfServiceLevel.AtMostOnce);
            var device = await RawDevice.ConnectAsync(harness, subscribe: false);
            await ApplyAsync(device.Client, device.Id, steps);
            await device.RequestAsync(Topics.Operations.Register, Body, [1]);
            var actual = await CollectAsync(device, expected.Count);
            return (Steps: string.Join(" ", steps.Select(s => s.ToString())), Expected: Describe(expected), Actual: Describe(actual));
        }));

        Assert.All(outcomes, o => Assert.True(o.Expected == o.Actual, $"[{o.Steps}] MQTTnet delivers {o.Expected}, the endpoint {o.Actual}"));
        Assert.Contains(outcomes, o => o.Expected != "nothing");
        Assert.Contains(outcomes, o => o.Expected == "nothing");
        // whatever QoS the device subscribed with (0, 1 or 2), a reply needs no acknowledgement from it
        Assert.All(outcomes, o => Assert.DoesNotContain("QoS 1", o.Actual, StringComparison.Ordinal));
        Assert.Contains(outcomes, o => o.Steps.Contains("@1", StringComparison.Ordinal) && o.Actual.Contains("QoS 0", StringComparison.Ordinal));
        Assert.Contains(outcomes, o => o.Steps.Contains("@2", StringComparison.Ordinal) && o.Actual.Contains("QoS 0", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Every_subscription_sequence_of_an_authenticated_session_gets_a_command_exactly_as_MQTTnets_own_dispatch_delivers_it()
    {
        using var tenant = new TenantDevices();
        await using var harness = await EndpointHarness.StartAsync(verifier: tenant.Verifier);
        await using var oracle = await Oracle.StartAsync();

        var outcomes = await CommandOutcomesAsync(harness, oracle, id => tenant.Issue(id));

        Assert.All(outcomes, o => Assert.True(o.Expected == o.Actual, $"[{o.Steps}] MQTTnet delivers {o.Expected}, the endpoint {o.Actual}"));
        Assert.Contains(outcomes, o => o.Expected != "nothing");
    }

    [Fact]
    public async Task No_subscription_sequence_of_an_enrolment_only_session_gets_a_command_or_has_waiting_commands_resent()
    {
        using var tenant = new TenantDevices();
        var handler = new FakeHandler();
        await using var harness = await EndpointHarness.StartAsync(handler: handler, verifier: tenant.Verifier);
        await using var oracle = await Oracle.StartAsync();

        var anonymous = await CommandOutcomesAsync(harness, oracle, _ => null);
        // the same sequences again with certificates, on the same endpoint: these are told to the handler
        var authenticated = await CommandOutcomesAsync(harness, oracle, id => tenant.Issue(id));

        Assert.All(anonymous, o => Assert.True(o.Actual == "nothing", $"[{o.Steps}] an enrolment-only session received {o.Actual}"));
        Assert.Contains(anonymous, o => o.Expected != "nothing");
        var told = handler.CommandsSubscribed.ToHashSet();
        Assert.DoesNotContain(anonymous, o => told.Contains(o.DeviceId));
        Assert.Contains(authenticated, o => told.Contains(o.DeviceId));
        Assert.All(authenticated.Where(o => o.Steps.Contains("+cmd", StringComparison.Ordinal)), o => Assert.Contains(o.DeviceId, told));
    }

    [Fact]
    public async Task Without_the_authenticated_session_required_an_enrolment_only_session_gets_commands_as_MQTTnets_own_dispatch_delivers_them()
    {
        var handler = new FakeHandler();
        await using var harness = await EndpointHarness.StartAsync(o => o.RequireAuthenticatedSession = false, handler);
        await using var oracle = await Oracle.StartAsync();

        var outcomes = await CommandOutcomesAsync(harness, oracle, _ => null);

        Assert.All(outcomes, o => Assert.True(o.Expected == o.Actual, $"[{o.Steps}] MQTTnet delivers {o.Expected}, the endpoint {o.Actual}"));
        Assert.Contains(outcomes, o => o.Expected != "nothing");
        Assert.Contains(outcomes, o => handler.CommandsSubscribed.Contains(o.DeviceId));
    }

    /// <summary>
    /// For every subscription sequence: what MQTTnet's own dispatch delivers of a command, and what a device connected
    /// to the endpoint (with the certificate <paramref name="certificateFor"/> gives it, or none) receives of it.
    /// </summary>
    private static async Task<(string DeviceId, string Steps, string Expected, string Actual)[]> CommandOutcomesAsync(EndpointHarness harness, Oracle oracle,
        Func<string, X509Certificate2?> certificateFor)
    {
        var command = """{"commandId":"c1","kind":"reenroll","issuedAt":"2026-01-01T00:00:00Z"}"""u8.ToArray();
        return await Task.WhenAll(Sequences.Select(async steps =>
        {
            var expected = await oracle.ReceiveAsync(steps, Topics.Commands, MqttQualityOfServiceLevel.AtLeastOnce);
            var id = EndpointHarness.NewDeviceId();
            using var certificate = certificateFor(id);
            var device = await RawDevice.ConnectAsync(harness, id, subscribe: false, certificate);
            await ApplyAsync(device.Client, device.Id, steps);
            await harness.Endpoint.PublishCommandAsync(device.Id, command).Within();
            // waits for the oracle's count only where a command may arrive; with none awaited it still collects every
            // copy that comes before a quiet moment, so an enrolment-only session that is sent one is caught
            var actual = await CollectAsync(device, certificate is null ? 0 : expected.Count);
            return (id, string.Join(" ", steps.Select(s => s.ToString())), Describe(expected), Describe(actual));
        }));
    }

    [Fact]
    public async Task A_reply_for_a_device_whose_session_has_gone_is_dropped_and_a_new_session_gets_nothing_until_it_subscribes()
    {
        var release = new TaskCompletionSource();
        var handler = new FakeHandler(async (request, ct) =>
        {
            if (request.Payload.Span[0] == (byte)'w') await release.Task.WaitAsync(ct);
            return new DeviceReply(request.Payload);
        });
        await using var harness = await EndpointHarness.StartAsync(handler: handler);
        var id = EndpointHarness.NewDeviceId();
        var first = await RawDevice.ConnectAsync(harness, id);
        await first.RequestAsync(Topics.Operations.Register, "wait"u8.ToArray(), [1]);
        await first.Client.DisconnectAsync().Within();
        // the same device again, a clean start: a new session, not subscribed yet
        var second = await RawDevice.ConnectAsync(harness, id, subscribe: false);

        release.SetResult();
        await Task.Delay(300);

        Assert.True(await second.NothingArrivesAsync(TimeSpan.FromMilliseconds(200)));
        // a command to a device with no session at all is dropped too, without an error
        await harness.Endpoint.PublishCommandAsync(EndpointHarness.NewDeviceId(), Body).Within();
        await second.Client.SubscribeAsync(Topics.DeviceSubtree(id) + "res/#", MqttQualityOfServiceLevel.AtLeastOnce).Within();
        await second.RequestAsync(Topics.Operations.Register, "now"u8.ToArray(), [2]);
        var reply = await second.NextAsync();
        Assert.Equal([2], reply.CorrelationData);
        Assert.True(await second.NothingArrivesAsync(TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public async Task With_many_devices_subscribed_to_everything_they_may_each_reply_and_command_reaches_only_its_device()
    {
        var handler = new FakeHandler((request, _) => Task.FromResult(new DeviceReply(Encoding.UTF8.GetBytes(request.DeviceId))));
        using var tenant = new TenantDevices();
        await using var harness = await EndpointHarness.StartAsync(handler: handler, verifier: tenant.Verifier);
        var devices = await Task.WhenAll(Enumerable.Range(0, 30).Select(async _ =>
        {
            var id = EndpointHarness.NewDeviceId();
            using var certificate = tenant.Issue(id);
            var device = await RawDevice.ConnectAsync(harness, id, subscribe: false, certificate);
            await device.Client.SubscribeAsync(Topics.DeviceSubtree(device.Id) + "#", MqttQualityOfServiceLevel.AtLeastOnce).Within();
            return device;
        }));

        await Task.WhenAll(devices.Select(d => d.RequestAsync(Topics.Operations.Register, Body, [1])));
        foreach (var device in devices.Where((_, i) => i % 3 == 0))
            await harness.Endpoint.PublishCommandAsync(device.Id, Encoding.UTF8.GetBytes("cmd:" + device.Id)).Within();

        for (var i = 0; i < devices.Length; i++)
        {
            var device = devices[i];
            var received = new List<MqttApplicationMessage> { await device.NextAsync() };
            if (i % 3 == 0) received.Add(await device.NextAsync());
            Assert.True(await device.NothingArrivesAsync(TimeSpan.FromMilliseconds(50)));
            Assert.Contains(received, m => m.Topic == Topics.Response(device.Id, Topics.Operations.Register) && Encoding.UTF8.GetString(m.Payload.ToArray()) == device.Id);
            if (i % 3 == 0) Assert.Contains(received, m => m.Topic == Topics.Commands(device.Id) && Encoding.UTF8.GetString(m.Payload.ToArray()) == "cmd:" + device.Id);
        }
    }

    private static async Task ApplyAsync(IMqttClient client, string deviceId, IEnumerable<Step> steps)
    {
        foreach (var step in steps)
        {
            var filter = Topics.DeviceSubtree(deviceId) + step.Filter;
            if (step.Unsubscribe)
            {
                await client.UnsubscribeAsync(filter).Within();
                continue;
            }
            var options = new MqttClientSubscribeOptionsBuilder().WithTopicFilter(filter, step.Qos);
            if (step.Identifier > 0) options.WithSubscriptionIdentifier(step.Identifier);
            var result = await client.SubscribeAsync(options.Build()).Within();
            Assert.Equal((int)step.Qos, (int)result.Items.Single().ResultCode);
        }
    }

    /// <summary>The expected number of copies, then a quiet moment for any copy too many.</summary>
    private static async Task<List<Arrival>> CollectAsync(RawDevice device, int expected)
    {
        var arrivals = new List<Arrival>();
        for (var i = 0; i < expected; i++) arrivals.Add(ArrivalOf(await device.NextAsync()));
        while (!await device.NothingArrivesAsync(TimeSpan.FromMilliseconds(expected == 0 ? 500 : 150))) arrivals.Add(ArrivalOf(await device.NextAsync()));
        return arrivals;
    }

    private static Arrival ArrivalOf(MqttApplicationMessage message) =>
        new(message.Topic, message.QualityOfServiceLevel, string.Join(",", (message.SubscriptionIdentifiers ?? []).Order()));

    private static string Describe(IReadOnlyCollection<Arrival> arrivals) =>
        arrivals.Count == 0 ? "nothing" : string.Join("; ", arrivals.Select(a => $"{a.Topic.Split('/').Last()} QoS {(int)a.Qos} ids [{a.Identifiers}]"));

    /// <summary>A plain MQTTnet broker (plaintext, loopback, no interceptors) that injects one message per client: MQTTnet's own delivery.</summary>
    private sealed class Oracle : IAsyncDisposable
    {
        private readonly MqttServer _server;
        private readonly int _port;
        private readonly List<IMqttClient> _clients = [];

        private Oracle(MqttServer server, int port) => (_server, _port) = (server, port);

        public static async Task<Oracle> StartAsync()
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            var options = new MqttServerOptionsBuilder().WithDefaultEndpoint().WithDefaultEndpointBoundIPAddress(IPAddress.Loopback)
                .WithDefaultEndpointPort(port).WithPersistentSessions(false).Build();
            var server = new MqttServerFactory().CreateMqttServer(options);
            await server.StartAsync().Within();
            return new Oracle(server, port);
        }

        /// <summary>A client that takes <paramref name="steps"/>, then the message to <paramref name="topic"/> injected at <paramref name="qos"/>: what it receives.</summary>
        public async Task<List<Arrival>> ReceiveAsync(IEnumerable<Step> steps, Func<string, string> topic, MqttQualityOfServiceLevel qos)
        {
            var id = EndpointHarness.NewDeviceId();
            var received = Channel.CreateUnbounded<MqttApplicationMessage>();
            var client = new MqttClientFactory().CreateMqttClient();
            lock (_clients) _clients.Add(client);
            client.ApplicationMessageReceivedAsync += e => { received.Writer.TryWrite(e.ApplicationMessage); return Task.CompletedTask; };
            await client.ConnectAsync(new MqttClientOptionsBuilder().WithClientId(id).WithProtocolVersion(MqttProtocolVersion.V500)
                .WithTcpServer("127.0.0.1", _port).WithCleanStart().Build()).Within();
            await ApplyAsync(client, id, steps);
            // then an end marker on a topic of its own, which none of the steps' filters but "#" matches and which matches
            // none of them: MQTTnet queues a session's messages in order, so once a copy of the marker arrives, every
            // copy of the message has (a quiet time instead said "nothing" when the broker was slow, under CI's load)
            var end = $"oracle/{id}/end";
            await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(end, MqttQualityOfServiceLevel.AtMostOnce).Build()).Within();
            foreach (var (injected, level) in new[] { (topic(id), qos), (end, MqttQualityOfServiceLevel.AtMostOnce) })
            {
                var message = new MqttApplicationMessageBuilder().WithTopic(injected).WithPayload(Body)
                    .WithQualityOfServiceLevel(level).WithRetainFlag(false).Build();
                await _server.InjectApplicationMessage(new InjectedMqttApplicationMessage(message) { SenderClientId = "oracle" }).Within();
            }
            var arrivals = new List<Arrival>();
            using var within = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            for (MqttApplicationMessage next; (next = await received.Reader.ReadAsync(within.Token)).Topic != end;) arrivals.Add(ArrivalOf(next));
            return arrivals;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var client in _clients)
            {
                if (client.IsConnected) await client.DisconnectAsync().WaitAsync(TimeSpan.FromSeconds(2));
                client.Dispose();
            }
            await _server.StopAsync().Within();
            _server.Dispose();
        }
    }
}
