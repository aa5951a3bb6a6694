using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using IoTIdentity.TestKit;
using MQTTnet;

namespace IoTIdentity.Provisioning.Mqtt.Tests;

/// <summary>
/// The two connection classes on the embedded broker: devices authenticated by their certificate (chain to their
/// tenant's issuing CA, not revoked, client id = the certificate's device id; one session per device) and the
/// enrolment-only class without a certificate, which can never take over or join an authenticated session.
/// </summary>
public sealed class AuthenticatedSessionTests : IDisposable
{
    private readonly TenantDevices _tenant = new();

    public void Dispose() => _tenant.Dispose();

    private Task<EndpointHarness> StartAsync(Action<MqttEndpointOptions>? configure = null) =>
        EndpointHarness.StartAsync(configure, verifier: _tenant.Verifier);

    [Fact]
    public async Task A_device_with_its_current_certificate_connects_authenticated()
    {
        await using var harness = await StartAsync();
        var id = EndpointHarness.NewDeviceId();
        using var certificate = _tenant.Issue(id);

        var client = await harness.ConnectAsync(id, clientCertificate: certificate);

        Assert.True(client.IsConnected);
        Assert.Empty(harness.Refusals);
    }

    [Fact]
    public async Task A_device_without_a_certificate_is_still_admitted_for_enrolment()
    {
        await using var harness = await StartAsync();

        var client = await harness.ConnectAsync(EndpointHarness.NewDeviceId());

        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task Each_request_carries_the_class_of_the_session_it_came_on_to_the_handler()
    {
        await using var harness = await StartAsync();
        var enrolling = EndpointHarness.NewDeviceId();
        var enrolled = EndpointHarness.NewDeviceId();
        using var certificate = _tenant.Issue(enrolled);
        var anonymous = await harness.ConnectAsync(enrolling);
        var authenticated = await harness.ConnectAsync(enrolled, clientCertificate: certificate);

        foreach (var (client, id) in new[] { (anonymous, enrolling), (authenticated, enrolled) })
        {
            var published = await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(IoTIdentity.Protocol.Topics.Request(id, "token")).WithPayload("{}"u8.ToArray())
                .WithResponseTopic(IoTIdentity.Protocol.Topics.Response(id, "token")).WithCorrelationData([1, 2, 3])
                .WithQualityOfServiceLevel(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce).Build()).Within();
            Assert.True(published.IsSuccess);
        }

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (harness.Handler.Received.Count < 2 && DateTime.UtcNow < deadline) await Task.Delay(20);
        var received = harness.Handler.Received.ToDictionary(r => r.DeviceId);
        Assert.False(received[enrolling].SessionAuthenticated);
        Assert.True(received[enrolled].SessionAuthenticated);
    }

    [Fact]
    public async Task A_certificate_for_another_device_id_is_refused()
    {
        await using var harness = await StartAsync();
        using var certificate = _tenant.Issue(EndpointHarness.NewDeviceId());

        var client = await harness.ConnectAsync(EndpointHarness.NewDeviceId(), throwOnFailure: false, clientCertificate: certificate);

        Assert.False(client.IsConnected);
        Assert.Equal(1, harness.RefusalCount(MqttRefusals.CertificateClientId));
    }

    [Fact]
    public async Task A_certificate_from_another_CA_is_refused()
    {
        await using var harness = await StartAsync();
        using var stranger = new OwnerCa(DateTimeOffset.UtcNow);
        var id = EndpointHarness.NewDeviceId();
        using var certificate = _tenant.Issue(id, issuer: stranger);

        var client = await harness.ConnectAsync(id, throwOnFailure: false, clientCertificate: certificate);

        Assert.False(client.IsConnected);
        Assert.Equal(1, harness.RefusalCount(MqttRefusals.Certificate));
    }

    [Fact]
    public async Task A_certificate_naming_an_unknown_tenant_is_refused()
    {
        await using var harness = await StartAsync();
        var id = EndpointHarness.NewDeviceId();
        using var certificate = _tenant.Issue(id, tenant: "someone-else");

        var client = await harness.ConnectAsync(id, throwOnFailure: false, clientCertificate: certificate);

        Assert.False(client.IsConnected);
        Assert.Equal(1, harness.RefusalCount(MqttRefusals.Certificate));
    }

    [Fact]
    public async Task A_revoked_certificate_is_refused()
    {
        await using var harness = await StartAsync();
        var id = EndpointHarness.NewDeviceId();
        using var certificate = _tenant.Issue(id);
        _tenant.Revoke(certificate);

        var client = await harness.ConnectAsync(id, throwOnFailure: false, clientCertificate: certificate);

        Assert.False(client.IsConnected);
        Assert.Equal(1, harness.RefusalCount(MqttRefusals.Certificate));
    }

    [Fact]
    public async Task A_certificate_without_a_device_id_URI_is_refused()
    {
        await using var harness = await StartAsync();
        var id = EndpointHarness.NewDeviceId();
        using var certificate = _tenant.Issue(id, uriSan: "urn:example:" + id);

        var client = await harness.ConnectAsync(id, throwOnFailure: false, clientCertificate: certificate);

        Assert.False(client.IsConnected);
        Assert.Equal(1, harness.RefusalCount(MqttRefusals.Certificate));
    }

    [Fact]
    public async Task Without_a_verifier_a_presented_certificate_is_refused_not_trusted()
    {
        await using var harness = await EndpointHarness.StartAsync();
        var id = EndpointHarness.NewDeviceId();
        using var certificate = _tenant.Issue(id);

        var client = await harness.ConnectAsync(id, throwOnFailure: false, clientCertificate: certificate);

        Assert.False(client.IsConnected);
        Assert.Equal(1, harness.RefusalCount(MqttRefusals.Certificate));
    }

    [Fact]
    public async Task An_unauthenticated_connection_cannot_take_over_an_authenticated_session_and_the_device_keeps_it()
    {
        await using var harness = await StartAsync();
        var id = EndpointHarness.NewDeviceId();
        using var certificate = _tenant.Issue(id);
        var victim = await harness.ConnectAsync(id, clientCertificate: certificate);

        var attacker = await harness.ConnectAsync(id, throwOnFailure: false);

        Assert.False(attacker.IsConnected);
        Assert.Equal(1, harness.RefusalCount(MqttRefusals.SessionHeld));
        await victim.PingAsync().Within();
        Assert.True(victim.IsConnected);
    }

    [Fact]
    public async Task A_second_authenticated_session_is_refused_and_reported_as_a_clone_signal()
    {
        await using var harness = await StartAsync();
        var id = EndpointHarness.NewDeviceId();
        using var certificate = _tenant.Issue(id);
        var first = await harness.ConnectAsync(id, clientCertificate: certificate);

        var second = await harness.ConnectAsync(id, throwOnFailure: false, clientCertificate: certificate);

        Assert.False(second.IsConnected);
        Assert.Equal(1, harness.RefusalCount(MqttRefusals.SecondSession));
        Assert.Equal(1, harness.CloneSignals);
        await first.PingAsync().Within();
        Assert.True(first.IsConnected);
    }

    /// <summary>
    /// A device's authenticated CONNECT is admitted while an enrolment-only connection of its id is open. That connection
    /// has a session of its own (<see cref="SessionIds"/>), so it stays until its client closes it (the agent closes its
    /// enrolment-only session once it has connected with its certificate); with <c>RequireAuthenticatedSession</c> off
    /// the session is the device id, and MQTTnet hands it to the authenticated connection.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_authenticated_device_connects_while_an_enrolment_only_connection_of_its_id_is_open(bool requireAuthenticatedSession)
    {
        await using var harness = await StartAsync(o => o.RequireAuthenticatedSession = requireAuthenticatedSession);
        var id = EndpointHarness.NewDeviceId();
        using var certificate = _tenant.Issue(id);
        var enrolmentOnly = await harness.ConnectAsync(id);
        var ended = new TaskCompletionSource<MqttClientDisconnectedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        enrolmentOnly.DisconnectedAsync += e => { ended.TrySetResult(e); return Task.CompletedTask; };

        var authenticated = await harness.ConnectAsync(id, clientCertificate: certificate);

        Assert.True(authenticated.IsConnected);
        Assert.Empty(harness.Refusals);
        if (requireAuthenticatedSession)
        {
            await enrolmentOnly.PingAsync().Within();
            Assert.True(enrolmentOnly.IsConnected);
        }
        else Assert.Equal(MqttClientDisconnectReason.SessionTakenOver, (await ended.Task.Within()).Reason);
    }

    /// <summary>
    /// The broker ends a session asynchronously after the device's DISCONNECT; a CONNECT that arrives before then waits
    /// for it (<see cref="MqttEndpointOptions.HeldSessionGrace"/>) instead of meeting the device's own closing session —
    /// which, with the certificate, would be a false clone signal. In either class, many times over.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_device_that_ends_its_authenticated_session_and_reconnects_at_once_is_admitted_without_a_clone_signal(bool withCertificate)
    {
        await using var harness = await StartAsync();
        var id = EndpointHarness.NewDeviceId();
        using var certificate = _tenant.Issue(id);
        for (var round = 0; round < 20; round++)
        {
            var first = await harness.ConnectAsync(id, clientCertificate: certificate);
            await first.DisconnectAsync().Within();

            var next = await harness.ConnectAsync(id, throwOnFailure: false, clientCertificate: withCertificate ? certificate : null);

            Assert.True(next.IsConnected, $"round {round}: refused {string.Join(", ", harness.Refusals)}");
            await next.DisconnectAsync().Within();
        }
        Assert.Empty(harness.Refusals);
        Assert.Equal(0, harness.CloneSignals);
    }

    public enum Vanishing
    {
        /// <summary>The device rebooted at the same address: its stack answers the next packet of the old connection with a reset.</summary>
        Rebooted,

        /// <summary>The device is gone from the address: nothing answers.</summary>
        Gone,
    }

    /// <summary>
    /// A device that loses power sends no DISCONNECT, and its authenticated session would hold its id until the
    /// keep-alive ran out, its reconnect refused meanwhile as a clone. A CONNECT with the device's certificate that
    /// meets the session asks its connection whether the peer is still there (<see cref="LivenessProbe"/>), so whichever
    /// way the peer vanished, idle or with data the service sent it in flight, the device is admitted within the
    /// default grace, with no clone signal, and its new session works. A stranger's CONNECT (no certificate) asks
    /// nothing: against the idle dead session it is refused <c>session_held</c> and leaves the session as it was.
    /// </summary>
    [Theory]
    [InlineData(Vanishing.Rebooted, false)]
    [InlineData(Vanishing.Rebooted, true)]
    [InlineData(Vanishing.Gone, false)]
    [InlineData(Vanishing.Gone, true)]
    public async Task A_device_whose_connection_vanished_without_a_word_reconnects_with_its_certificate_without_a_clone_signal(Vanishing how, bool dataInFlight)
    {
        await using var harness = await StartAsync();
        var (id, certificate, socket) = await IdleSessionOverOwnSocketAsync(harness);
        using var _ = certificate;

        using var dropped = how == Vanishing.Gone ? VanishingPeer.Disappear(socket) : null;
        if (how == Vanishing.Rebooted) VanishingPeer.Reboot(socket);
        if (dataInFlight) await harness.Endpoint.PublishCommandAsync(id, "{}"u8.ToArray());   // a rebooted peer resets it at once
        else
        {
            var stranger = await harness.ConnectAsync(id, throwOnFailure: false);
            Assert.False(stranger.IsConnected);
            Assert.Equal(1, harness.RefusalCount(MqttRefusals.SessionHeld));
        }
        var next = await harness.ConnectAsync(id, throwOnFailure: false, clientCertificate: certificate);

        Assert.True(next.IsConnected, $"refused: {string.Join(", ", harness.Refusals)}");
        Assert.Equal(dataInFlight ? [] : [MqttRefusals.SessionHeld], harness.Refusals.Keys);
        Assert.Equal(0, harness.CloneSignals);
        await next.PingAsync().Within();
    }

    /// <summary>
    /// A device on its authenticated session over a socket the test holds, subscribed to its commands, the connection
    /// idle (its acknowledgements out).
    /// </summary>
    private async Task<(string Id, X509Certificate2 Certificate, Socket Socket)> IdleSessionOverOwnSocketAsync(EndpointHarness harness)
    {
        var id = EndpointHarness.NewDeviceId();
        var certificate = _tenant.Issue(id);
        var sockets = new OwnSockets();
        var client = await harness.ConnectAsync(id, clientCertificate: certificate, sockets: sockets);
        await client.SubscribeAsync(IoTIdentity.Protocol.Topics.Commands(id)).Within();
        await client.PingAsync().Within();
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        return (id, certificate, sockets.Opened.Single());
    }

    /// <summary>
    /// A device that lost power just as the service sent it something, and boots again some seconds later: the data has
    /// been retransmitted in vain, each time after a longer wait, and the next retransmission (which the user timeout
    /// would end the connection at) is further away than the CONNECT waits. The probe sees that nothing has been
    /// acknowledged for longer than the user timeout and ends the connection at once: the device is admitted with no
    /// clone signal.
    /// </summary>
    [Fact]
    public async Task A_device_gone_with_data_unanswered_for_seconds_reconnects_at_once_without_a_clone_signal()
    {
        await using var harness = await StartAsync();
        var (id, certificate, socket) = await IdleSessionOverOwnSocketAsync(harness);
        using var _ = certificate;

        using var dropped = VanishingPeer.Disappear(socket);
        await harness.Endpoint.PublishCommandAsync(id, "{}"u8.ToArray());
        // retransmitted at about 0.2, 0.6, 1.4, 3, 6.2 and 12.6 s; the next one at 25.4 s, beyond a CONNECT at 14 s and its wait
        await Task.Delay(TimeSpan.FromSeconds(14));
        var next = await harness.ConnectAsync(id, throwOnFailure: false, clientCertificate: certificate);

        Assert.True(next.IsConnected, $"refused: {string.Join(", ", harness.Refusals)}");
        Assert.Empty(harness.Refusals);
        Assert.Equal(0, harness.CloneSignals);
    }

    /// <summary>
    /// A power cut takes a whole site at once: many devices vanish together, some rebooted behind the same address, some
    /// gone, and all reconnect at the same moment in a random order. Every one of them is admitted on its certificate,
    /// none is refused and no clone signal is raised: the probes and waits of many sessions at once do not mix.
    /// </summary>
    [Fact]
    public async Task A_site_that_loses_power_at_once_reconnects_every_device_without_a_clone_signal()
    {
        await using var harness = await StartAsync();
        var random = new Random(Environment.TickCount);
        var devices = new List<(string Id, X509Certificate2 Certificate, Socket Socket, bool Gone)>();
        for (var i = 0; i < 24; i++)
        {
            var id = EndpointHarness.NewDeviceId();
            var sockets = new OwnSockets();
            var certificate = _tenant.Issue(id);
            await harness.ConnectAsync(id, clientCertificate: certificate, sockets: sockets);
            devices.Add((id, certificate, sockets.Opened.Single(), random.Next(2) == 0));
        }
        await Task.Delay(TimeSpan.FromMilliseconds(300));   // every connection idle

        var dropped = new List<IDisposable>();
        try
        {
            foreach (var device in devices)
                if (device.Gone) dropped.Add(VanishingPeer.Disappear(device.Socket));
                else VanishingPeer.Reboot(device.Socket);
            var back = await Task.WhenAll(devices.OrderBy(_ => random.Next()).Select(d => harness.ConnectAsync(d.Id, throwOnFailure: false, clientCertificate: d.Certificate)));

            Assert.All(back, client => Assert.True(client.IsConnected, $"refused: {string.Join(", ", harness.Refusals)}"));
            Assert.Empty(harness.Refusals);
            Assert.Equal(0, harness.CloneSignals);
        }
        finally
        {
            foreach (var rule in dropped) rule.Dispose();
            foreach (var device in devices) device.Certificate.Dispose();
        }
    }

    /// <summary>
    /// The question never ends a session whose peer is there: against a live, idle authenticated session (its stack
    /// answers the probe), any number of CONNECTs of its id at once, with and without the certificate, are all refused
    /// after the wait — each certificate one a clone signal — and the session stays and works. Over random numbers and
    /// mixes, and a second round on the same session (the probe's settings were put back and are asked for again).
    /// </summary>
    [Fact]
    public async Task CONNECTs_meeting_a_live_session_never_end_it_however_many_come_at_once()
    {
        await using var harness = await StartAsync();
        var id = EndpointHarness.NewDeviceId();
        using var certificate = _tenant.Issue(id);
        var held = await harness.ConnectAsync(id, clientCertificate: certificate);
        var random = new Random(Environment.TickCount);
        var (clones, strangers) = (0L, 0L);
        for (var round = 0; round < 2; round++)
        {
            await Task.Delay(TimeSpan.FromSeconds(LivenessProbe.IdleSeconds + 0.5));   // idle: the first probe goes out at once
            var withCertificate = Enumerable.Range(0, random.Next(1, 5)).Select(_ => random.Next(2) == 0).ToArray();
            var attempts = await Task.WhenAll(withCertificate.Select(c => harness.ConnectAsync(id, throwOnFailure: false, clientCertificate: c ? certificate : null)));

            var mix = string.Join(",", withCertificate);
            Assert.All(attempts, a => Assert.False(a.IsConnected, mix));
            clones += withCertificate.Count(c => c);
            strangers += withCertificate.Count(c => !c);
            Assert.Equal((clones, strangers, clones), (harness.RefusalCount(MqttRefusals.SecondSession), harness.RefusalCount(MqttRefusals.SessionHeld), harness.CloneSignals));
            await held.PingAsync().Within();
            Assert.True(held.IsConnected, mix);
        }
    }

    /// <summary>
    /// What monitoring asks a silo when a device was admitted on another (<see cref="IDeviceChannel.AuthenticatedSessionAsync"/>):
    /// the endpoint names only a certificate-authenticated session (not an enrolment-only one, not another device's), and
    /// asking its peer ends the session only when the peer is gone — a live one answers and keeps it.
    /// </summary>
    [Fact]
    public async Task Asked_about_a_device_the_endpoint_names_only_its_authenticated_session_and_the_question_ends_only_a_vanished_one()
    {
        await using var harness = await StartAsync();
        var enrolmentOnly = EndpointHarness.NewDeviceId();
        await harness.ConnectAsync(enrolmentOnly);
        Assert.Null(await harness.Endpoint.AuthenticatedSessionAsync(enrolmentOnly, askLiveness: true));
        Assert.Null(await harness.Endpoint.AuthenticatedSessionAsync(EndpointHarness.NewDeviceId(), askLiveness: true));

        var (live, liveCertificate, _) = await IdleSessionOverOwnSocketAsync(harness);
        var (gone, goneCertificate, goneSocket) = await IdleSessionOverOwnSocketAsync(harness);
        using var ownedLive = liveCertificate;
        using var ownedGone = goneCertificate;
        var liveSession = await harness.Endpoint.AuthenticatedSessionAsync(live, askLiveness: false);
        var goneSession = await harness.Endpoint.AuthenticatedSessionAsync(gone, askLiveness: false);
        Assert.NotNull(liveSession);
        Assert.NotNull(goneSession);
        Assert.NotEqual(liveSession, goneSession);

        using var dropped = VanishingPeer.Disappear(goneSocket);
        await Task.Delay(TimeSpan.FromSeconds(LivenessProbe.IdleSeconds + 0.5));
        Assert.Equal(goneSession, await harness.Endpoint.AuthenticatedSessionAsync(gone, askLiveness: true));    // answers at once
        Assert.Equal(liveSession, await harness.Endpoint.AuthenticatedSessionAsync(live, askLiveness: true));
        // the gone peer answers nothing: its connection ends after about four seconds (LivenessProbe)
        await Eventually(async () => await harness.Endpoint.AuthenticatedSessionAsync(gone, askLiveness: false) is null, seconds: 10);

        await Task.Delay(harness.Options.HeldSessionGrace);                 // past the question: the live session stays
        Assert.Equal(liveSession, await harness.Endpoint.AuthenticatedSessionAsync(live, askLiveness: false));
        Assert.Equal(0, harness.CloneSignals);
    }

    [Fact]
    public async Task Connections_from_one_address_are_capped_and_a_freed_slot_can_be_reused()
    {
        await using var harness = await StartAsync(o => o.MaxConnectionsPerAddress = 2);
        var first = await harness.ConnectAsync(EndpointHarness.NewDeviceId());
        await harness.ConnectAsync(EndpointHarness.NewDeviceId());

        var third = await harness.ConnectAsync(EndpointHarness.NewDeviceId(), throwOnFailure: false);
        Assert.False(third.IsConnected);
        Assert.Equal(1, harness.RefusalCount(MqttRefusals.AddressConnections));

        await first.DisconnectAsync().Within();
        await Eventually(async () => (await harness.ConnectAsync(EndpointHarness.NewDeviceId(), throwOnFailure: false)).IsConnected);
    }

    /// <summary>
    /// With real IPv6 sources: addresses added to <c>lo</c> for the test (<see cref="LoopbackAddresses"/>), two in one /64
    /// and one in another, connecting over TLS to the endpoint's IPv6 listener.
    /// </summary>
    [Fact]
    public async Task Two_IPv6_addresses_of_one_64_share_the_cap_and_an_address_of_another_64_does_not()
    {
        using var addresses = LoopbackAddresses.Create("adding IPv6 addresses to lo (ip -6 addr add … dev lo)");
        var (first, second, elsewhere) = (addresses.Add(1, 0x10), addresses.Add(1, 0x11), addresses.Add(2, 0x10));
        await using var harness = await StartAsync(o =>
        {
            o.MaxConnectionsPerAddress = 2;
            o.BindIPv6Address = "::";
        });

        var fromFirst = await harness.ConnectAsync(EndpointHarness.NewDeviceId(), from: first);
        await harness.ConnectAsync(EndpointHarness.NewDeviceId(), from: second);

        // each address holds one connection, but their /64 holds two: a third from either is refused
        foreach (var source in new[] { first, second })
            Assert.False((await harness.ConnectAsync(EndpointHarness.NewDeviceId(), throwOnFailure: false, from: source)).IsConnected, $"a third connection from {source} was admitted");
        Assert.Equal(2, harness.RefusalCount(MqttRefusals.AddressConnections));

        // another /64 is another source, with an allowance of its own
        foreach (var _ in Enumerable.Range(0, 2))
            Assert.True((await harness.ConnectAsync(EndpointHarness.NewDeviceId(), from: elsewhere)).IsConnected);
        Assert.Equal(2, harness.RefusalCount(MqttRefusals.AddressConnections));

        // a slot freed by one address of the /64 is taken from the other
        await fromFirst.DisconnectAsync().Within();
        await Eventually(async () => (await harness.ConnectAsync(EndpointHarness.NewDeviceId(), throwOnFailure: false, from: second)).IsConnected);
    }

    [Theory]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:ffff", true)]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:3::1", false)]
    [InlineData("::ffff:192.0.2.1", "192.0.2.1", true)]
    [InlineData("192.0.2.1", "192.0.2.2", false)]
    public void IPv6_addresses_are_counted_per_64_and_IPv4_per_address(string a, string b, bool same)
    {
        var keyA = SessionRegistry.AddressKey(new IPEndPoint(IPAddress.Parse(a), 1));
        var keyB = SessionRegistry.AddressKey(new IPEndPoint(IPAddress.Parse(b), 2));

        Assert.Equal(same, keyA == keyB);
    }

    private static async Task Eventually(Func<Task<bool>> condition, int seconds = 5)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not reached");
            await Task.Delay(25);
        }
    }
}
