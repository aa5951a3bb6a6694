using System.Net;
using System.Text;
using IoTIdentity.Protocol;
using MQTTnet;
using MQTTnet.Protocol;

namespace IoTIdentity.Provisioning.Mqtt.Tests;

/// <summary>The endpoint's request/response path and every rule it enforces, with real MQTTnet clients over TLS.</summary>
public sealed class MqttEndpointTests
{
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"hello":"service"}""");

    [Fact]
    public async Task A_request_reaches_the_handler_and_the_reply_carries_its_correlation_data()
    {
        await using var harness = await EndpointHarness.StartAsync();
        var device = await RawDevice.ConnectAsync(harness);
        var correlation = new byte[] { 1, 2, 3, 4 };

        var published = await device.RequestAsync(Topics.Operations.Register, Body, correlation);
        var reply = await device.NextAsync();

        Assert.Equal(MqttClientPublishReasonCode.Success, published.ReasonCode);
        Assert.Equal(Topics.Response(device.Id, Topics.Operations.Register), reply.Topic);
        Assert.Equal(correlation, reply.CorrelationData);
        Assert.Equal("application/json", reply.ContentType);
        Assert.Equal(Body, reply.Payload.ToArray());
        Assert.Null(MessageAssertions.Property(reply.UserProperties, "iotid-error"));
        var request = Assert.Single(harness.Handler.Received);
        Assert.Equal((device.Id, "register"), (request.DeviceId, request.Operation));
        Assert.Equal("127.0.0.1", request.RemoteAddress);
    }

    [Fact]
    public async Task An_IPv6_listener_on_the_unspecified_address_serves_devices_over_IPv6_beside_IPv4()
    {
        await using var harness = await EndpointHarness.StartAsync(o => o.BindIPv6Address = "::");

        var overIpv6 = await harness.ConnectAsync(EndpointHarness.NewDeviceId(), from: IPAddress.IPv6Loopback);
        var overIpv4 = await harness.ConnectAsync(EndpointHarness.NewDeviceId());

        Assert.True(overIpv6.IsConnected);
        Assert.True(overIpv4.IsConnected);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_listener_port_another_process_holds_fails_the_start_naming_the_listener_and_its_address(bool tls)
    {
        var other = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        other.Start();
        var port = ((IPEndPoint)other.LocalEndpoint).Port;
        var directory = EndpointHarness.NewDataDirectory();
        try
        {
            var failure = await Assert.ThrowsAsync<IOException>(() => EndpointHarness.StartAsync(o =>
            {
                (o.AllowPlaintext, o.DataDirectory) = (!tls, directory);
                if (tls) o.TlsPort = port;
                else o.PlaintextPort = port;
            }));

            Assert.Equal($"Failed to bind the MQTT {(tls ? "TLS" : "plaintext")} listener to 127.0.0.1:{port}: address already in use.", failure.Message);
            Assert.Equal(System.Net.Sockets.SocketError.AddressAlreadyInUse, Assert.IsType<System.Net.Sockets.SocketException>(failure.InnerException).SocketErrorCode);
        }
        finally
        {
            other.Stop();
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_refusal_from_the_handler_is_named_in_the_user_properties()
    {
        var handler = new FakeHandler((_, _) => Task.FromResult(new DeviceReply(
            Replies.Error(ProvisioningError.NotEnrolled), ProvisioningError.NotEnrolled)));
        await using var harness = await EndpointHarness.StartAsync(handler: handler);
        var device = await RawDevice.ConnectAsync(harness);

        await device.RequestAsync(Topics.Operations.Register, Body, [9]);

        (await device.NextAsync()).IsRefusal(ProvisioningError.NotEnrolled);
    }

    [Theory]
    [InlineData("Device-A")]
    [InlineData("device/a")]
    [InlineData("device+a")]
    [InlineData("#")]
    [InlineData("0123456789012345678901234567890123456789012345678901234567890123456789")]
    public async Task A_client_id_that_is_not_a_device_id_is_refused_at_connect(string clientId)
    {
        await using var harness = await EndpointHarness.StartAsync();
        var client = harness.CreateClient();

        var result = await client.ConnectAsync(harness.ClientOptions(clientId), CancellationToken.None).Within();

        Assert.Equal(MqttClientConnectResultCode.ClientIdentifierNotValid, result.ResultCode);
        Assert.Equal(1, harness.RefusalCount(MqttRefusals.ClientId));
    }

    [Fact]
    public async Task An_MQTT_3_client_is_refused_because_requests_need_MQTT_5_properties()
    {
        await using var harness = await EndpointHarness.StartAsync();
        var client = harness.CreateClient();
        var options = harness.ClientOptions(EndpointHarness.NewDeviceId());
        options.ProtocolVersion = MQTTnet.Formatter.MqttProtocolVersion.V311;

        var result = await client.ConnectAsync(options, CancellationToken.None).Within();

        Assert.Equal(MqttClientConnectResultCode.UnsupportedProtocolVersion, result.ResultCode);
        Assert.False(client.IsConnected);
        Assert.Equal(1, harness.RefusalCount(MqttRefusals.ProtocolVersion));
    }

    [Fact]
    public async Task Publishing_to_another_devices_request_topic_is_dropped_counted_and_never_reaches_the_handler()
    {
        await using var harness = await EndpointHarness.StartAsync();
        var victim = await RawDevice.ConnectAsync(harness);
        var attacker = await RawDevice.ConnectAsync(harness);

        var result = await attacker.PublishAsync(Topics.Request(victim.Id, "register"), Body, Topics.Response(victim.Id, "register"), [1]);

        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, result.ReasonCode);
        result.IsRefusal(ProvisioningError.NotAuthorized);
        Assert.Empty(harness.Handler.Received);
        Assert.Equal(1, harness.RefusalCount(MqttRefusals.PublishTopic));
        Assert.True(await victim.NothingArrivesAsync(TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task A_device_cannot_publish_on_its_own_response_or_command_topics_or_anywhere_else()
    {
        await using var harness = await EndpointHarness.StartAsync();
        var device = await RawDevice.ConnectAsync(harness);
        await device.Client.SubscribeAsync(Topics.Commands(device.Id)).Within();

        foreach (var topic in new[] { Topics.Response(device.Id, "register"), Topics.Commands(device.Id), "iotid/v1/" + device.Id + "/req/unknown", "elsewhere" })
            Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, (await device.PublishAsync(topic, Body, null, null)).ReasonCode);

        Assert.Equal(4, harness.RefusalCount(MqttRefusals.PublishTopic));
        Assert.True(await device.NothingArrivesAsync(TimeSpan.FromMilliseconds(300)));
        Assert.Empty(harness.Handler.Received);
    }

    [Theory]
    [InlineData("other/res/#")]
    [InlineData("#")]
    [InlineData("iotid/v1/+/res/#")]
    [InlineData("iotid/#")]
    public async Task Subscribing_outside_the_own_subtree_is_refused(string filterPattern)
    {
        await using var harness = await EndpointHarness.StartAsync();
        var other = EndpointHarness.NewDeviceId();
        var device = await RawDevice.ConnectAsync(harness, subscribe: false);
        var filter = filterPattern.Replace("other/", Topics.DeviceSubtree(other)).Replace("own", device.Id);

        var result = await device.Client.SubscribeAsync(filter).Within();

        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, result.Items.Single().ResultCode);
        Assert.Equal(1, harness.RefusalCount(MqttRefusals.SubscribeTopic));
    }

    [Fact]
    public async Task A_shared_subscription_is_refused_even_on_the_own_subtree()
    {
        await using var harness = await EndpointHarness.StartAsync();
        var device = await RawDevice.ConnectAsync(harness, subscribe: false);

        var result = await device.Client.SubscribeAsync($"$share/g/{Topics.DeviceSubtree(device.Id)}res/#").Within();

        Assert.Equal(MqttClientSubscribeResultCode.SharedSubscriptionsNotSupported, result.Items.Single().ResultCode);
    }

    [Fact]
    public async Task Subscribing_to_the_own_responses_and_commands_is_granted()
    {
        await using var harness = await EndpointHarness.StartAsync();
        var device = await RawDevice.ConnectAsync(harness, subscribe: false);

        var result = await device.Client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(Topics.DeviceSubtree(device.Id) + "res/#", MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter(Topics.Commands(device.Id), MqttQualityOfServiceLevel.AtLeastOnce).Build()).Within();

        Assert.All(result.Items, i => Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, i.ResultCode));
        Assert.Empty(harness.Refusals);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("iotid/v1/OTHER/res/register")]
    [InlineData("iotid/v1/OWN/res/attest")]
    [InlineData("iotid/v1/OWN/cmd")]
    public async Task A_request_without_its_own_response_topic_is_refused(string? responseTopicPattern)
    {
        await using var harness = await EndpointHarness.StartAsync();
        var device = await RawDevice.ConnectAsync(harness);
        var responseTopic = responseTopicPattern?.Replace("OTHER", EndpointHarness.NewDeviceId()).Replace("OWN", device.Id);

        var result = await device.PublishAsync(Topics.Request(device.Id, "register"), Body, responseTopic, [1]);

        result.IsRefusal(ProvisioningError.NotAuthorized);
        Assert.Equal(1, harness.RefusalCount(MqttRefusals.ResponseTopic));
        Assert.Empty(harness.Handler.Received);
    }

    [Fact]
    public async Task A_request_without_correlation_data_is_refused()
    {
        await using var harness = await EndpointHarness.StartAsync();
        var device = await RawDevice.ConnectAsync(harness);

        var result = await device.PublishAsync(Topics.Request(device.Id, "attest"), Body, Topics.Response(device.Id, "attest"), null);

        Assert.Equal(MqttClientPublishReasonCode.PayloadFormatInvalid, result.ReasonCode);
        result.IsRefusal(ProvisioningError.MalformedRequest);
        Assert.Equal(1, harness.RefusalCount(MqttRefusals.CorrelationData));
        Assert.Empty(harness.Handler.Received);
    }

    [Fact]
    public async Task An_oversized_request_is_refused_with_MessageTooLarge_and_never_reaches_the_handler()
    {
        await using var harness = await EndpointHarness.StartAsync(o => o.MaxMessageBytes = 1024);
        var device = await RawDevice.ConnectAsync(harness);

        var result = await device.RequestAsync("register", new byte[1025], [7]);
        var reply = await device.NextAsync();

        result.IsRefusal(ProvisioningError.MessageTooLarge);
        reply.IsRefusal(ProvisioningError.MessageTooLarge);
        Assert.Equal([7], reply.CorrelationData);
        Assert.Equal(1, harness.RefusalCount(MqttRefusals.MessageTooLarge));
        Assert.Empty(harness.Handler.Received);

        await device.RequestAsync("register", new byte[1024], [8]);
        Assert.Equal([8], (await device.NextAsync()).CorrelationData);
    }

    [Fact]
    public async Task Requests_beyond_the_device_rate_are_answered_RateLimited_with_a_retry_delay()
    {
        await using var harness = await EndpointHarness.StartAsync(o => (o.DeviceRequestsPerWindow, o.DeviceRateWindow) = (2, TimeSpan.FromSeconds(30)));
        var device = await RawDevice.ConnectAsync(harness);

        for (byte i = 0; i < 3; i++) await device.RequestAsync("register", Body, [i]);
        var replies = new[] { await device.NextAsync(), await device.NextAsync(), await device.NextAsync() };

        var limited = Assert.Single(replies, r => r.CorrelationData[0] == 2);
        limited.IsRefusal(ProvisioningError.RateLimited);
        Assert.InRange(limited.ErrorBody().RetryAfterSeconds!.Value, 1, 15);
        Assert.Equal(limited.ErrorBody().RetryAfterSeconds.ToString(), MessageAssertions.Property(limited.UserProperties, "retry-after"));
        Assert.Equal(2, harness.Handler.Received.Count);
        Assert.Equal(1, harness.RefusalCount(MqttRefusals.DeviceRate));
    }

    [Fact]
    public async Task Requests_beyond_the_source_address_rate_are_refused_across_devices()
    {
        await using var harness = await EndpointHarness.StartAsync(o => (o.AddressRequestsPerWindow, o.AddressRateWindow) = (2, TimeSpan.FromSeconds(30)));
        var devices = new[] { await RawDevice.ConnectAsync(harness), await RawDevice.ConnectAsync(harness), await RawDevice.ConnectAsync(harness) };

        foreach (var device in devices) await device.RequestAsync("register", Body, [1]);

        (await devices[2].NextAsync()).IsRefusal(ProvisioningError.RateLimited);
        // the first two are answered by the handler (the refusal of the third can overtake them)
        Assert.Null(MessageAssertions.Property((await devices[0].NextAsync()).UserProperties, "iotid-error"));
        Assert.Null(MessageAssertions.Property((await devices[1].NextAsync()).UserProperties, "iotid-error"));
        Assert.Equal(1, harness.RefusalCount(MqttRefusals.AddressRate));
        Assert.Equal(2, harness.Handler.Received.Count);
    }

    [Fact]
    public async Task A_handler_that_throws_is_answered_Unavailable_and_the_broker_serves_the_next_request()
    {
        var calls = 0;
        var handler = new FakeHandler((request, _) => Interlocked.Increment(ref calls) == 1
            ? throw new InvalidOperationException("storage is down")
            : Task.FromResult(new DeviceReply(request.Payload)));
        await using var harness = await EndpointHarness.StartAsync(handler: handler);
        var device = await RawDevice.ConnectAsync(harness);

        await device.RequestAsync("register", Body, [1]);
        var failed = await device.NextAsync();
        await device.RequestAsync("register", Body, [2]);
        var served = await device.NextAsync();

        failed.IsRefusal(ProvisioningError.Unavailable);
        Assert.NotNull(MessageAssertions.Property(failed.UserProperties, "retry-after"));
        Assert.Equal(Body, served.Payload.ToArray());
        Assert.True(harness.Endpoint.IsRunning);
    }

    [Fact]
    public async Task A_handler_that_hangs_is_answered_Unavailable_after_the_timeout()
    {
        var handler = new FakeHandler(async (_, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            throw new InvalidOperationException("unreachable");
        });
        await using var harness = await EndpointHarness.StartAsync(o => o.HandlerTimeout = TimeSpan.FromMilliseconds(300), handler);
        var device = await RawDevice.ConnectAsync(harness);

        await device.RequestAsync("attest", Body, [1]);

        (await device.NextAsync()).IsRefusal(ProvisioningError.Unavailable);
    }

    [Fact]
    public async Task A_devices_requests_are_answered_in_order_while_other_devices_proceed_concurrently()
    {
        var slowDevice = EndpointHarness.NewDeviceId();
        var release = new TaskCompletionSource();
        var handler = new FakeHandler(async (request, ct) =>
        {
            if (request.DeviceId == slowDevice && request.Payload.Span[0] == (byte)'0') await release.Task.WaitAsync(ct);
            return new DeviceReply(request.Payload);
        });
        await using var harness = await EndpointHarness.StartAsync(handler: handler);
        var slow = await RawDevice.ConnectAsync(harness, slowDevice);
        var fast = await RawDevice.ConnectAsync(harness);

        await slow.RequestAsync("register", "0"u8.ToArray(), [0]);
        await slow.RequestAsync("attest", "1"u8.ToArray(), [1]);
        await fast.RequestAsync("register", "x"u8.ToArray(), [2]);
        var fastReply = await fast.NextAsync();
        Assert.True(await slow.NothingArrivesAsync(TimeSpan.FromMilliseconds(200)));
        release.SetResult();

        Assert.Equal([2], fastReply.CorrelationData);
        Assert.Equal([0], (await slow.NextAsync()).CorrelationData);
        Assert.Equal([1], (await slow.NextAsync()).CorrelationData);
    }

    [Fact]
    public async Task Many_devices_at_once_each_get_their_own_replies()
    {
        var handler = new FakeHandler(async (request, ct) =>
        {
            await Task.Delay(20, ct);
            return new DeviceReply(Encoding.UTF8.GetBytes(request.DeviceId));
        });
        await using var harness = await EndpointHarness.StartAsync(handler: handler);
        var devices = await Task.WhenAll(Enumerable.Range(0, 25).Select(_ => RawDevice.ConnectAsync(harness)));

        await Task.WhenAll(devices.Select(async d =>
        {
            await d.RequestAsync("register", Body, [1]);
            await d.RequestAsync("attest", Body, [2]);
        }));

        foreach (var device in devices)
        {
            var replies = new[] { await device.NextAsync(), await device.NextAsync() };
            Assert.Equal([[1], [2]], replies.Select(r => r.CorrelationData));
            Assert.All(replies, r => Assert.Equal(device.Id, Encoding.UTF8.GetString(r.Payload.ToArray())));
        }
        Assert.Equal(50, harness.Handler.Received.Count);
    }

    [Fact]
    public async Task CloseSessionsAsync_disconnects_the_devices_live_session()
    {
        await using var harness = await EndpointHarness.StartAsync();
        var device = await RawDevice.ConnectAsync(harness);
        var other = await RawDevice.ConnectAsync(harness);
        var disconnected = new TaskCompletionSource<MqttClientDisconnectedEventArgs>();
        device.Client.DisconnectedAsync += e => { disconnected.TrySetResult(e); return Task.CompletedTask; };

        var closed = await harness.Endpoint.CloseSessionsAsync(device.Id).Within();

        Assert.Equal(1, closed);
        Assert.Equal(MqttClientDisconnectReason.AdministrativeAction, (await disconnected.Task.Within()).Reason);
        Assert.True(other.Client.IsConnected);
    }

    [Fact]
    public async Task PublishCommandAsync_reaches_the_device_subscribed_to_its_command_topic_and_no_other()
    {
        using var tenant = new TenantDevices();
        await using var harness = await EndpointHarness.StartAsync(verifier: tenant.Verifier);
        var (deviceId, otherId) = (EndpointHarness.NewDeviceId(), EndpointHarness.NewDeviceId());
        using var deviceCertificate = tenant.Issue(deviceId);
        using var otherCertificate = tenant.Issue(otherId);
        var device = await RawDevice.ConnectAsync(harness, deviceId, subscribe: false, deviceCertificate);
        var other = await RawDevice.ConnectAsync(harness, otherId, subscribe: false, otherCertificate);
        await device.Client.SubscribeAsync(Topics.Commands(device.Id), MqttQualityOfServiceLevel.AtLeastOnce).Within();
        await other.Client.SubscribeAsync(Topics.Commands(other.Id), MqttQualityOfServiceLevel.AtLeastOnce).Within();
        var command = """{"commandId":"c1","kind":"reenroll","issuedAt":"2026-01-01T00:00:00Z"}"""u8.ToArray();

        await harness.Endpoint.PublishCommandAsync(device.Id, command).Within();
        var received = await device.NextAsync();

        Assert.Equal(Topics.Commands(device.Id), received.Topic);
        Assert.Equal(command, received.Payload.ToArray());
        Assert.Equal(MqttQualityOfServiceLevel.AtLeastOnce, received.QualityOfServiceLevel);
        Assert.False(received.Retain);
        Assert.True(await other.NothingArrivesAsync(TimeSpan.FromMilliseconds(200)));
    }
}
