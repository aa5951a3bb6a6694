using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Protocol;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Host.Hosting;
using IoTIdentity.Provisioning.Mqtt;
using IoTIdentity.Simulator.Swtpm;
using IoTIdentity.Simulator.Swtpm.Manufacturing;
using IoTIdentity.TestKit;
using IoTIdentity.Tpm.Commands;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// <c>Mqtt:Mode=external</c> against a real mosquitto on loopback (the shipped ACL, TLS, the service user's password):
/// silos attach as clients sharing <c>$share/iotid/iotid/v1/+/req/+</c>; devices with real swtpm EKs enrol through
/// the broker. The two-silo cluster shares grain state on the Cosmos protocol server and one key-encryption key.
/// </summary>
[Collection(CosmosServerCollection.Name)]
public sealed class ExternalBrokerTests(CosmosServerFixture cosmos, ITestOutputHelper output)
{
    [Fact(Timeout = 300_000)]
    public async Task Two_silos_share_the_device_requests_and_one_carries_on_when_the_other_stops_mid_run()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var database = $"broker-{Guid.NewGuid():N}";
        var primaryPort = FreePorts.Next();
        var siloA = await StartSiloAsync(broker, "silo-a", database, siloPort: primaryPort);
        var siloB = await StartSiloAsync(broker, "silo-b", database, primarySiloPort: primaryPort);
        var bStopped = false;
        try
        {
            using var handledByA = EndpointCounter.Requests(siloA);
            using var handledByB = EndpointCounter.Requests(siloB);
            await ExternalBrokerSilos.WaitUntilHealthyAsync(siloA);
            await ExternalBrokerSilos.WaitUntilHealthyAsync(siloB);
            await using var bench = await SwtpmBench.StartAsync();
            var (tpm, manufacturer) = (bench.Tpm, bench.Manufacturer);
            var tenant = await siloA.CreateTenantAsync("brokered", [manufacturer.RootDer]);

            // both silos are members of the shared subscription: the broker spreads the requests over them
            var issued = new Dictionary<string, string>();
            for (var i = 0; i < 8; i++) await EnrolAsync(tpm, manufacturer, broker, issued);
            output.WriteLine($"before the stop: silo A answered {handledByA.Total}, silo B {handledByB.Total}");
            Assert.Equal(16, handledByA.Total + handledByB.Total);
            Assert.True(handledByA.Total > 0 && handledByB.Total > 0, $"one silo took all the load: A {handledByA.Total}, B {handledByB.Total}");

            // silo B stops while devices keep enrolling; silo A answers every later request
            var stop = Task.Run(async () =>
            {
                await Task.Delay(TimeSpan.FromMilliseconds(300));
                await siloB.StopAsync();
                bStopped = true;
            });
            for (var i = 0; i < 8; i++) await EnrolAsync(tpm, manufacturer, broker, issued);
            await stop;
            var answeredByB = handledByB.Total;
            for (var i = 0; i < 2; i++) await EnrolAsync(tpm, manufacturer, broker, issued);
            output.WriteLine($"after the stop: silo A answered {handledByA.Total}, silo B {handledByB.Total}");
            Assert.Equal(answeredByB, handledByB.Total);
            Assert.Equal(18, issued.Count);

            // every device has exactly the one certificate it was given, and the tenant's audit chain is intact
            foreach (var (deviceId, serial) in issued)
            {
                var view = await siloA.Grains.GetGrain<IDeviceGrain>(deviceId).GetAsync(tenant.TenantId);
                Assert.Equal(DeviceStatus.Active, view!.Status);
                Assert.Equal(serial, view.CertificateSerial);
                Assert.Empty(view.PastSerials);
            }
            Assert.True((await siloA.Store.VerifyAuditChainAsync(tenant.TenantId)).IsValid);
        }
        finally
        {
            if (!bStopped) await siloB.StopAsync();
            await siloA.StopAsync();
            broker.DeleteDirectory();
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task Healthz_is_503_while_the_broker_is_down_and_ok_again_once_the_silo_has_reconnected()
    {
        var broker = await MosquittoBroker.StartAsync();
        var silo = await StartSiloAsync(broker, "silo-health", database: null);
        try
        {
            await ExternalBrokerSilos.WaitUntilHealthyAsync(silo);
            await broker.DisposeAsync();

            var down = await ExternalBrokerSilos.WaitForHealthAsync(silo, HttpStatusCode.ServiceUnavailable);
            Assert.Equal("degraded", down.GetProperty("status").GetString());
            Assert.Equal("external", down.GetProperty("mqtt").GetProperty("mode").GetString());
            Assert.NotEqual("connected", down.GetProperty("mqtt").GetProperty("state").GetString());

            broker = await MosquittoBroker.StartAsync(restart: broker);
            var up = await ExternalBrokerSilos.WaitForHealthAsync(silo, HttpStatusCode.OK);
            Assert.Equal("connected", up.GetProperty("mqtt").GetProperty("state").GetString());
        }
        finally
        {
            await silo.StopAsync();
            await broker.DisposeAsync();
            broker.DeleteDirectory();
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task Closing_a_devices_sessions_behind_an_external_broker_closes_none_and_does_not_throw()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var silo = await StartSiloAsync(broker, "silo-close", database: null);
        try
        {
            await ExternalBrokerSilos.WaitUntilHealthyAsync(silo);
            var channel = silo.App.Services.GetRequiredService<IDeviceChannel>();

            Assert.IsType<ExternalBrokerClient>(channel);
            Assert.Equal(0, await channel.CloseSessionsAsync("50e0de"));
            Assert.Null(silo.App.Services.GetService<MqttEndpoint>());
        }
        finally
        {
            await silo.StopAsync();
            broker.DeleteDirectory();
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task A_silo_the_broker_refuses_for_a_wrong_password_stays_degraded_and_says_why()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var silo = await StartSiloAsync(broker, "silo-badpw", database: null, password: "not-the-password");
        try
        {
            var health = await ExternalBrokerSilos.WaitForHealthAsync(silo, HttpStatusCode.ServiceUnavailable);
            await Task.Delay(TimeSpan.FromSeconds(2)); // several reconnection attempts later, still refused

            health = await ExternalBrokerSilos.WaitForHealthAsync(silo, HttpStatusCode.ServiceUnavailable);
            Assert.Equal("degraded", health.GetProperty("status").GetString());
            Assert.Contains("NotAuthorized", health.GetProperty("mqtt").GetProperty("lastError").GetString(), StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            await silo.StopAsync();
            broker.DeleteDirectory();
        }
    }

    [Fact]
    public void External_mode_without_a_broker_host_is_refused_when_the_service_starts()
    {
        var error = Assert.Throws<InvalidOperationException>(() => BuildAndResolve(new() { ["Mqtt:Mode"] = "external" }));
        Assert.Contains("Mqtt:External:Host", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_MQTT_mode_is_refused_when_the_host_is_built()
    {
        var error = Assert.Throws<InvalidOperationException>(() => BuildAndResolve(new() { ["Mqtt:Mode"] = "bridged" }));
        Assert.Contains("'bridged'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_shared_group_that_is_not_a_plain_topic_level_is_refused_when_the_service_starts()
    {
        var error = Assert.Throws<InvalidOperationException>(() => BuildAndResolve(new()
        {
            ["Mqtt:Mode"] = "external", ["Mqtt:External:Host"] = "127.0.0.1", ["Mqtt:External:SharedGroup"] = "a/#",
        }));
        Assert.Contains("SharedGroup", error.Message, StringComparison.Ordinal);
    }

    private static void BuildAndResolve(Dictionary<string, string?> settings)
    {
        var data = Directory.CreateTempSubdirectory("iotid-mode-").FullName;
        try
        {
            settings["Provisioning:DataDirectory"] = data;
            settings.TryAdd("Provisioning:Mode", "Development");
            var app = ProvisioningHost.Build([], builder => builder.Configuration.AddInMemoryCollection(settings));
            app.Services.GetRequiredService<IDeviceChannel>();
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    /// <summary>A silo in external mode on <paramref name="broker"/>; with a database, its grain state is on the Cosmos server.</summary>
    private async Task<ServiceFixture> StartSiloAsync(MosquittoBroker broker, string clientId, string? database, int? siloPort = null,
        int? primarySiloPort = null, string? password = null)
    {
        var settings = ExternalBrokerSilos.Settings(broker, clientId, password);
        if (siloPort is { } port) settings["Orleans:SiloPort"] = port.ToString();
        if (primarySiloPort is { } primary) settings["Orleans:PrimarySiloPort"] = primary.ToString();
        if (database is not null)
            foreach (var (key, value) in cosmos.ServiceSettings(database)) settings[key] = value;
        return await ExternalBrokerSilos.StartAsync(settings);
    }

    /// <summary>Makes a device with a fresh EK on <paramref name="tpm"/> and enrols it through the broker (retrying a request lost with a stopping silo).</summary>
    private static async Task EnrolAsync(TpmClient tpm, ManufacturerCa manufacturer, MosquittoBroker broker, Dictionary<string, string> issued)
    {
        var enrollment = new TpmEnrollment(tpm, await VirtualDevices.ManufactureAsync(tpm, manufacturer));
        var deviceId = await enrollment.ReadDeviceIdAsync();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var client = await EnrollmentClient.ConnectAsync(deviceId, new EnrollmentClientOptions
                {
                    Host = "127.0.0.1", Port = broker.EnrollmentPort, TrustAnchors = [broker.CaCertificate], RequestTimeout = TimeSpan.FromSeconds(10),
                });
                var result = await enrollment.EnrollAsync(client);
                issued.Add(deviceId, result.Issued.SerialNumber);
                return;
            }
            catch (Exception e) when (attempt < 3 && e is TimeoutException or EnrollmentRefusedException { Error: ProvisioningError.Unavailable or ProvisioningError.NoChallenge })
            {
            }
        }
    }
}
