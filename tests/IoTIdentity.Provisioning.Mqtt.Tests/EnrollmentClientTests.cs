using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Protocol;
using IoTIdentity.Protocol.Messages;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace IoTIdentity.Provisioning.Mqtt.Tests;

/// <summary>The device's MQTT client against the real endpoint: trust, refusals, commands, and the host wiring.</summary>
public sealed class EnrollmentClientTests
{
    [Fact]
    public async Task A_refusal_surfaces_as_EnrollmentRefusedException_with_its_reason_and_retry_delay()
    {
        var handler = new FakeHandler((_, _) => Task.FromResult(new DeviceReply(
            JsonSerializer.SerializeToUtf8Bytes(new ErrorResponse { Error = ProvisioningError.Unavailable, RetryAfterSeconds = 7 }, ProtocolJson.Default.ErrorResponse),
            ProvisioningError.Unavailable, RetryAfterSeconds: 7)));
        await using var harness = await EndpointHarness.StartAsync(handler: handler);
        await using var client = await EnrollmentClient.ConnectAsync(EndpointHarness.NewDeviceId(), Trusting(harness)).Within();

        var refusal = await Assert.ThrowsAsync<EnrollmentRefusedException>(() => client.RegisterAsync(SomeRegister()).Within());

        Assert.Equal(ProvisioningError.Unavailable, refusal.Error);
        Assert.Equal(TimeSpan.FromSeconds(7), refusal.RetryAfter);
        Assert.True(refusal.IsTransient);
    }

    [Fact]
    public async Task An_oversized_request_is_refused_as_MessageTooLarge()
    {
        await using var harness = await EndpointHarness.StartAsync(o => o.MaxMessageBytes = 2048);
        await using var client = await EnrollmentClient.ConnectAsync(EndpointHarness.NewDeviceId(), Trusting(harness)).Within();

        var refusal = await Assert.ThrowsAsync<EnrollmentRefusedException>(() => client.RequestRawAsync("register", new byte[4096]).Within());

        Assert.Equal(ProvisioningError.MessageTooLarge, refusal.Error);
        Assert.Empty(harness.Handler.Received);
    }

    [Fact]
    public async Task A_server_certificate_outside_the_trust_anchors_is_rejected()
    {
        await using var harness = await EndpointHarness.StartAsync();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var stranger = new CertificateRequest("CN=someone else", key, HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var options = new EnrollmentClientOptions { Host = "127.0.0.1", Port = harness.Endpoint.TlsPort, TrustAnchors = [stranger] };

        var error = await Record.ExceptionAsync(() => EnrollmentClient.ConnectAsync(EndpointHarness.NewDeviceId(), options).Within());

        Assert.IsType<AuthenticationException>(error!.InnerException);
    }

    [Fact]
    public async Task A_trusted_certificate_issued_for_another_host_name_is_rejected()
    {
        var directory = EndpointHarness.NewDataDirectory();
        Directory.CreateDirectory(directory);
        try
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest("CN=mqtt.example.test", key, HashAlgorithmName.SHA256);
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName("mqtt.example.test");
            request.CertificateExtensions.Add(names.Build());
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            var (certPath, keyPath) = (Path.Combine(directory, "c.pem"), Path.Combine(directory, "k.pem"));
            await File.WriteAllTextAsync(certPath, certificate.ExportCertificatePem());
            await File.WriteAllTextAsync(keyPath, key.ExportPkcs8PrivateKeyPem());
            await using var harness = await EndpointHarness.StartAsync(o => (o.CertificatePath, o.CertificateKeyPath) = (certPath, keyPath));
            using var anchor = X509CertificateLoader.LoadCertificate(certificate.RawData);
            var options = new EnrollmentClientOptions { Host = "127.0.0.1", Port = harness.Endpoint.TlsPort, TrustAnchors = [anchor] };

            var error = await Record.ExceptionAsync(() => EnrollmentClient.ConnectAsync(EndpointHarness.NewDeviceId(), options).Within());

            Assert.IsType<AuthenticationException>(error!.InnerException);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Connections_made_with_the_same_options_check_the_broker_chain_in_full_once()
    {
        await using var harness = await EndpointHarness.StartAsync();
        var options = Trusting(harness);

        for (var i = 0; i < 3; i++)
        {
            await using var client = await EnrollmentClient.ConnectAsync(EndpointHarness.NewDeviceId(), options).Within();
            Assert.True(client.IsConnected);
        }

        Assert.Equal(1, options.BrokerTrust.FullChecks);
    }

    [Fact]
    public async Task Copies_of_the_options_share_the_broker_check_and_carry_every_setting()
    {
        await using var harness = await EndpointHarness.StartAsync();
        var options = Trusting(harness);
        (options.ConnectTimeout, options.KeepAlive) = (TimeSpan.FromSeconds(9), TimeSpan.FromSeconds(33));

        for (var i = 0; i < 3; i++)
        {
            var copy = options.Copy();
            await using var client = await EnrollmentClient.ConnectAsync(EndpointHarness.NewDeviceId(), copy).Within();
            copy.ClientCertificate = null; // a per-connection change leaves the original as it was
            Assert.Equal((options.Host, options.Port, options.RequestTimeout, TimeSpan.FromSeconds(9), TimeSpan.FromSeconds(33)),
                (copy.Host, copy.Port, copy.RequestTimeout, copy.ConnectTimeout, copy.KeepAlive));
            Assert.Same(options.BrokerTrust, copy.BrokerTrust);
        }

        Assert.Equal(1, options.BrokerTrust.FullChecks);
    }

    [Fact]
    public async Task A_refused_subscription_fails_the_connect_as_NotAuthorized()
    {
        // a broker that refuses every subscription (the service's endpoint grants a device its own topics)
        var port = FreeLoopbackPort();
        using var server = new MQTTnet.Server.MqttServerFactory().CreateMqttServer(new MQTTnet.Server.MqttServerOptionsBuilder()
            .WithDefaultEndpoint().WithDefaultEndpointBoundIPAddress(System.Net.IPAddress.Loopback).WithDefaultEndpointPort(port).Build());
        server.InterceptingSubscriptionAsync += e =>
        {
            (e.ProcessSubscription, e.Response.ReasonCode) = (false, MQTTnet.Protocol.MqttSubscribeReasonCode.NotAuthorized);
            return Task.CompletedTask;
        };
        await server.StartAsync();
        try
        {
            var options = new EnrollmentClientOptions { Host = "127.0.0.1", Port = port, UseTls = false };

            var refusal = await Assert.ThrowsAsync<EnrollmentRefusedException>(() => EnrollmentClient.ConnectAsync(EndpointHarness.NewDeviceId(), options).Within());

            Assert.Equal(ProvisioningError.NotAuthorized, refusal.Error);
            Assert.Contains("SUBSCRIBE refused", refusal.Message, StringComparison.Ordinal);
        }
        finally
        {
            await server.StopAsync(new MQTTnet.Server.MqttServerStopOptionsBuilder().Build());
        }
    }

    private static int FreeLoopbackPort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    [Fact]
    public async Task The_explicit_insecure_flag_accepts_an_untrusted_server_for_tests()
    {
        await using var harness = await EndpointHarness.StartAsync();
        var options = new EnrollmentClientOptions { Host = "127.0.0.1", Port = harness.Endpoint.TlsPort, InsecureSkipServerCertificateValidation = true };

        await using var client = await EnrollmentClient.ConnectAsync(EndpointHarness.NewDeviceId(), options).Within();

        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task A_command_published_by_the_service_reaches_CommandReceived_on_the_authenticated_session()
    {
        using var tenant = new TenantDevices();
        await using var harness = await EndpointHarness.StartAsync(verifier: tenant.Verifier);
        var id = EndpointHarness.NewDeviceId();
        var options = Trusting(harness);
        options.ClientCertificate = () => tenant.Issue(id);
        await using var client = await EnrollmentClient.ConnectAsync(id, options).Within();
        var received = new TaskCompletionSource<byte[]>();
        client.CommandReceived += payload => { received.TrySetResult(payload.ToArray()); return Task.CompletedTask; };

        await harness.Endpoint.PublishCommandAsync(id, "revoke"u8.ToArray()).Within();

        Assert.True(client.IsAuthenticated);
        Assert.Equal("revoke"u8.ToArray(), await received.Task.Within());
    }

    [Fact]
    public async Task AddMqttEndpoint_binds_the_Mqtt_section_and_the_host_starts_and_stops_the_endpoint()
    {
        var directory = EndpointHarness.NewDataDirectory();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Mqtt:BindAddress"] = "127.0.0.1",
            ["Mqtt:TlsPort"] = "0",
            ["Mqtt:DataDirectory"] = directory,
            ["Mqtt:DeviceRateWindow"] = "00:00:05",
        }).Build();
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Services.AddSingleton<IDeviceRequestHandler>(new FakeHandler());
        builder.Services.AddMqttEndpoint(configuration);
        using var host = builder.Build();
        try
        {
            await host.StartAsync().Within();
            var endpoint = host.Services.GetRequiredService<MqttEndpoint>();
            Assert.True(endpoint.IsRunning);
            Assert.NotEqual(0, endpoint.TlsPort);
            Assert.Equal(Path.Combine(directory, "mqtt-dev-cert.pem"), endpoint.DevCertificatePath);
            await host.StopAsync().Within();
            Assert.False(endpoint.IsRunning);
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }

    private static EnrollmentClientOptions Trusting(EndpointHarness harness) => new()
    {
        Host = "127.0.0.1",
        Port = harness.Endpoint.TlsPort,
        TrustAnchorPath = harness.Endpoint.DevCertificatePath,
        RequestTimeout = TimeSpan.FromSeconds(5),
    };

    private static RegisterRequest SomeRegister() => new() { EkPublic = [1], EkCertificate = [2], AkPublic = [3] };
}
