using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Protocol;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Mqtt;
using IoTIdentity.Simulator.Swtpm;
using IoTIdentity.TestKit;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// The shipped mosquitto configuration (<c>deploy/mosquitto</c>: certificate listener, enrolment-only listener,
/// service listener, the ACL files and the <c>iotid_device_guard</c> plugin) against a real mosquitto with a silo
/// attached: what a device can and cannot reach, on either device listener, and that the service still enrols and
/// renews real swtpm devices through it.
/// </summary>
public sealed class ExternalBrokerAccessTests(ITestOutputHelper output)
{
    private const string Victim = "71c71a";
    private const string Intruder = "1a7e0de";

    [Fact(Timeout = 180_000)]
    public async Task No_device_joins_the_shared_subscription_or_hears_another_devices_traffic_on_either_listener()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var silo = await ExternalBrokerSilos.StartAsync(ExternalBrokerSilos.Settings(broker, "silo-share"));
        try
        {
            await ExternalBrokerSilos.WaitUntilHealthyAsync(silo);
            using var certified = await ConnectAsync(broker, broker.DevicePort, Intruder, broker.IssueDeviceCertificate(Intruder));
            using var anonymous = await ConnectAsync(broker, broker.EnrollmentPort, "1a7e0df");
            var overheard = 0;
            foreach (var intruder in new[] { certified, anonymous })
            {
                intruder.ApplicationMessageReceivedAsync += _ =>
                {
                    Interlocked.Increment(ref overheard);
                    return Task.CompletedTask;
                };
                var subscribed = await intruder.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
                    .WithTopicFilter(f => f.WithTopic($"$share/iotid/{Topics.AllRequests}").WithAtLeastOnceQoS())
                    .WithTopicFilter(f => f.WithTopic($"$share/other/{Topics.AllRequests}").WithAtLeastOnceQoS())
                    .WithTopicFilter(f => f.WithTopic(Topics.AllRequests).WithAtLeastOnceQoS())
                    .WithTopicFilter(f => f.WithTopic("#").WithAtLeastOnceQoS())
                    .WithTopicFilter(f => f.WithTopic(Topics.Prefix + "+/res/#").WithAtLeastOnceQoS())
                    .WithTopicFilter(f => f.WithTopic(Topics.Commands(Victim)).WithAtLeastOnceQoS())
                    .WithTopicFilter(f => f.WithTopic(Topics.DeviceSubtree(Victim) + "#").WithAtLeastOnceQoS())
                    .Build());
                Assert.All(subscribed.Items, item => Assert.True((int)item.ResultCode >= 0x80, $"{item.TopicFilter.Topic}: {item.ResultCode}"));
            }

            // every one of the victim's requests reaches the silo (none is lost to an intruder's share: each is answered),
            // its replies and commands reach the victim and nobody else
            using var victim = await ConnectAsync(broker, broker.DevicePort, Victim, broker.IssueDeviceCertificate(Victim));
            var victimReceived = new List<string>();
            victim.ApplicationMessageReceivedAsync += e =>
            {
                lock (victimReceived) victimReceived.Add(e.ApplicationMessage.Topic);
                return Task.CompletedTask;
            };
            await victim.SubscribeAsync(Topics.DeviceSubtree(Victim) + "#", MqttQualityOfServiceLevel.AtLeastOnce);
            for (var i = 0; i < 6; i++) Assert.True((await victim.PublishAsync(Request(Victim, Topics.Operations.Register, i))).IsSuccess);
            await silo.App.Services.GetRequiredService<IDeviceChannel>().PublishCommandAsync(Victim, "{}"u8.ToArray());
            await Eventually(() => Count(victimReceived, Topics.Response(Victim, Topics.Operations.Register)) == 6
                && Count(victimReceived, Topics.Commands(Victim)) == 1, () => $"the victim got {string.Join(", ", victimReceived)}");
            Assert.Equal(0, Volatile.Read(ref overheard));
        }
        finally
        {
            await silo.StopAsync();
            broker.DeleteDirectory();
        }
    }

    [Fact(Timeout = 180_000)]
    public async Task No_device_takes_a_silos_client_id_and_the_silo_keeps_answering()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var settings = ExternalBrokerSilos.Settings(broker, "silo-takeover");
        var siloClientId = settings["Mqtt:External:ClientId"]!;
        var silo = await ExternalBrokerSilos.StartAsync(settings);
        try
        {
            using var handled = EndpointCounter.Requests(silo);
            await ExternalBrokerSilos.WaitUntilHealthyAsync(silo);

            // anonymous: refused at CONNECT; with a certificate: the broker names the client after its certificate
            Assert.Equal(MqttClientConnectResultCode.NotAuthorized, await RefusalAsync(broker, broker.EnrollmentPort, siloClientId));
            using var certified = await ConnectAsync(broker, broker.DevicePort, siloClientId, broker.IssueDeviceCertificate(Intruder));
            Assert.True((await certified.PublishAsync(Request(Intruder, Topics.Operations.Register, 1))).IsSuccess);
            Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, (await certified.PublishAsync(Request(Victim, Topics.Operations.Register, 2))).ReasonCode);

            // the check below sees a takeover when there is one: a device taking its own id over on the enrolment listener
            using (await ConnectAsync(broker, broker.EnrollmentPort, Victim))
            using (await ConnectAsync(broker, broker.EnrollmentPort, Victim))
                await Eventually(() => broker.Log.Contains($"Client {Victim} already connected", StringComparison.Ordinal), () => broker.Log);

            Assert.DoesNotContain($"Client {siloClientId} already connected", broker.Log, StringComparison.Ordinal);
            using var device = await ConnectAsync(broker, broker.EnrollmentPort, "0d0d0d");
            Assert.True((await device.PublishAsync(Request("0d0d0d", Topics.Operations.Register, 3))).IsSuccess);
            await Eventually(() => handled.Total == 2, () => $"the silo answered {handled.Total} of 2 requests");
            Assert.DoesNotContain($"Client {siloClientId} already connected", broker.Log, StringComparison.Ordinal);
        }
        finally
        {
            await silo.StopAsync();
            broker.DeleteDirectory();
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task The_enrolment_listener_refuses_every_client_id_that_is_not_a_device_id()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        try
        {
            string[] notDeviceIds = ["iotid-service-a", "ABCDEF", "0A1b", new('a', DeviceIds.MaxLength + 1), "ab/cd", "ab+", "ab#", "ab cd", "ab-cd",
                "g0", "$sys", "", "ab\u00e9"];
            foreach (var clientId in notDeviceIds)
            {
                Assert.Equal(MqttClientConnectResultCode.NotAuthorized, await RefusalAsync(broker, broker.EnrollmentPort, clientId));
            }
            // a device id with a user name that is not its own is refused too; the longest device id and its own name pass
            Assert.Equal(MqttClientConnectResultCode.NotAuthorized,
                await RefusalAsync(broker, broker.EnrollmentPort, Victim, username: MosquittoBroker.ServiceUser));
            using var longest = await ConnectAsync(broker, broker.EnrollmentPort, new string('f', DeviceIds.MaxLength));
            using var own = await ConnectAsync(broker, broker.EnrollmentPort, Victim, username: Victim);
        }
        finally
        {
            broker.DeleteDirectory();
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task The_certificate_listener_admits_only_certificates_from_the_device_CA_and_the_enrolment_listener_only_register_and_attest()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        try
        {
            await Assert.ThrowsAnyAsync<Exception>(() => ConnectAsync(broker, broker.DevicePort, Victim));
            using var foreignKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var foreignRequest = new CertificateRequest($"O=tenant, CN={Victim}", foreignKey, HashAlgorithmName.SHA256);
            using var selfSigned = foreignRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
            using var foreign = X509CertificateLoader.LoadPkcs12(selfSigned.Export(X509ContentType.Pkcs12), null);
            await Assert.ThrowsAnyAsync<Exception>(() => ConnectAsync(broker, broker.DevicePort, Victim, foreign));

            using var anonymous = await ConnectAsync(broker, broker.EnrollmentPort, Victim);
            foreach (var op in new[] { Topics.Operations.Register, Topics.Operations.Attest })
                Assert.True((await anonymous.PublishAsync(Request(Victim, op, 1))).IsSuccess);
            Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, (await anonymous.PublishAsync(Request(Victim, Topics.Operations.Token, 1))).ReasonCode);
            using var certified = await ConnectAsync(broker, broker.DevicePort, Intruder, broker.IssueDeviceCertificate(Intruder));
            foreach (var op in new[] { Topics.Operations.Register, Topics.Operations.Attest, Topics.Operations.Token })
                Assert.True((await certified.PublishAsync(Request(Intruder, op, 1))).IsSuccess);
        }
        finally
        {
            broker.DeleteDirectory();
        }
    }

    [Fact(Timeout = 300_000)]
    public async Task A_device_enrols_and_renews_through_the_enrolment_listener()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var silo = await ExternalBrokerSilos.StartAsync(ExternalBrokerSilos.Settings(broker, "silo-renew"));
        try
        {
            await ExternalBrokerSilos.WaitUntilHealthyAsync(silo);
            await using var bench = await SwtpmBench.StartAsync();
            var tenant = await silo.CreateTenantAsync("brokered", [bench.Manufacturer.RootDer]);
            var enrollment = new TpmEnrollment(bench.Tpm, await VirtualDevices.ManufactureAsync(bench.Tpm, bench.Manufacturer));
            var deviceId = await enrollment.ReadDeviceIdAsync();
            await using var client = await EnrollmentClient.ConnectAsync(deviceId, new EnrollmentClientOptions
            {
                Host = "127.0.0.1", Port = broker.EnrollmentPort, TrustAnchors = [broker.CaCertificate], RequestTimeout = TimeSpan.FromSeconds(20),
            });

            var enrolled = await enrollment.EnrollAsync(client);
            var renewed = await enrollment.RenewAsync(client, enrolled.DeviceKey, enrolled.Issued.SerialNumber);
            output.WriteLine($"enrolled {enrolled.Issued.SerialNumber}, renewed {renewed.Issued.SerialNumber}");

            Assert.NotEqual(enrolled.Issued.SerialNumber, renewed.Issued.SerialNumber);
            var view = await silo.Grains.GetGrain<IDeviceGrain>(deviceId).GetAsync(tenant.TenantId);
            Assert.Equal(DeviceStatus.Active, view!.Status);
            Assert.Equal(renewed.Issued.SerialNumber, view.CertificateSerial);
            Assert.Contains(enrolled.Issued.SerialNumber, view.PastSerials);
        }
        finally
        {
            await silo.StopAsync();
            broker.DeleteDirectory();
        }
    }

    private static MqttApplicationMessage Request(string deviceId, string op, int correlation) => new MqttApplicationMessageBuilder()
        .WithTopic(Topics.Request(deviceId, op))
        .WithResponseTopic(Topics.Response(deviceId, op))
        .WithCorrelationData([(byte)correlation])
        .WithPayload("{}"u8.ToArray())
        .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
        .Build();

    private static int Count(List<string> topics, string topic)
    {
        lock (topics) return topics.Count(t => t == topic);
    }

    private static async Task Eventually(Func<bool> condition, Func<string> explain)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException(explain());
            await Task.Delay(100);
        }
    }

    private static async Task<IMqttClient> ConnectAsync(MosquittoBroker broker, int port, string clientId, X509Certificate2? certificate = null,
        string? username = null)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var anchor = broker.CaCertificate;
        var options = new MqttClientOptionsBuilder()
            .WithClientId(clientId)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithTcpServer("127.0.0.1", port)
            .WithTimeout(TimeSpan.FromSeconds(10))
            .WithTlsOptions(tls =>
            {
                tls.UseTls().WithTargetHost("127.0.0.1")
                    .WithCertificateValidationHandler(args => BrokerCertificateValidation.IsTrusted(args.Certificate, args.Chain, args.SslPolicyErrors, [anchor]));
                if (certificate is not null) tls.WithClientCertificates([certificate]);
            });
        if (username is not null) options.WithCredentials(username, "");
        try
        {
            var result = await client.ConnectAsync(options.Build());
            if (result.ResultCode != MqttClientConnectResultCode.Success) throw new RefusedConnection(result.ResultCode);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>The CONNACK code of a connection the broker refused (fails the test when it accepts it).</summary>
    private static async Task<MqttClientConnectResultCode> RefusalAsync(MosquittoBroker broker, int port, string clientId, string? username = null)
    {
        var refused = await Assert.ThrowsAsync<RefusedConnection>(() => ConnectAsync(broker, port, clientId, username: username));
        return refused.Code;
    }

    private sealed class RefusedConnection(MqttClientConnectResultCode code) : Exception($"the broker answered {code}")
    {
        public MqttClientConnectResultCode Code { get; } = code;
    }
}
