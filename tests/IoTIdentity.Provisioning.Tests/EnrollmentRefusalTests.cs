using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Protocol;
using IoTIdentity.Protocol.Messages;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Grains;
using IoTIdentity.Provisioning.Mqtt;
using IoTIdentity.Simulator.Swtpm.Manufacturing;
using IoTIdentity.Tpm.Keys;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// The adversary's side of the protocol, end to end: a real swtpm device runs the device library against the real
/// service, and a <see cref="TamperingChannel"/> (or a raw MQTT client) breaks exactly one thing. Each test asserts
/// the reason the device receives, that no certificate was issued, and where the refusal is audited (or, for the
/// endpoint's own refusals, which happen before any grain sees the request, that it was counted).
/// </summary>
public sealed class EnrollmentRefusalTests(ServiceFixture service) : SwtpmBench, IClassFixture<ServiceFixture>
{
    private const int TestTimeout = 60_000;
    private static int _tenants;

    /// <summary>A tenant whose default group trusts this test's own manufacturer (so no other test's group matches its devices).</summary>
    private Task<TestTenant> NewTenantAsync(Func<EnrollmentPolicy, EnrollmentPolicy>? policy = null, ServiceFixture? on = null) =>
        (on ?? service).CreateTenantAsync($"r{Interlocked.Increment(ref _tenants)}-{Guid.NewGuid():N}"[..20], [Manufacturer.RootDer], policy);

    /// <summary>A fresh virtual device of this test's manufacturer, and its id.</summary>
    private async Task<(TpmEnrollment Enrollment, string DeviceId, TpmEnrollmentOptions Options)> NewDeviceAsync(EkCertificateProfile? profile = null, ManufacturerCa? manufacturer = null)
    {
        var options = await VirtualDevices.ManufactureAsync(Tpm, manufacturer ?? Manufacturer, profile: profile);
        var enrollment = new TpmEnrollment(Tpm, options);
        return (enrollment, await enrollment.ReadDeviceIdAsync(), options);
    }

    private static byte[] Flip(byte[] bytes, int index = 0)
    {
        var copy = bytes.ToArray();
        copy[index] ^= 0x01;
        return copy;
    }

    // ---- register ----------------------------------------------------------------------------------------------

    [Fact(Timeout = TestTimeout)]
    public async Task A_device_whose_EK_certificate_chains_to_a_root_no_tenant_trusts_is_refused_as_UntrustedEkCertificate()
    {
        var tenant = await NewTenantAsync();
        using var stranger = ManufacturerCa.Create(new ManufacturerCaOptions { Name = "Nobody's TPM Manufacturer", EcdsaKeys = true });
        var (enrollment, deviceId, _) = await NewDeviceAsync(manufacturer: stranger);
        await using var client = await service.ConnectAsync(deviceId);

        await Refusals.ExpectAsync(ProvisioningError.UntrustedEkCertificate, () => enrollment.EnrollAsync(client));

        await Refusals.AssertRefusedAsync(service, tenant, deviceId, ProvisioningError.UntrustedEkCertificate, AuditTrail.Unassigned);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task A_device_of_a_trusted_manufacturer_without_an_individual_enrolment_is_refused_as_NotEnrolled_by_an_individual_only_group()
    {
        var tenant = await NewTenantAsync(p => p with { IndividualOnly = true });
        var (enrollment, deviceId, _) = await NewDeviceAsync();
        await using var client = await service.ConnectAsync(deviceId);

        await Refusals.ExpectAsync(ProvisioningError.NotEnrolled, () => enrollment.EnrollAsync(client));

        await Refusals.AssertRefusedAsync(service, tenant, deviceId, ProvisioningError.NotEnrolled, AuditTrail.Unassigned);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task A_register_whose_EK_derives_another_device_id_is_refused_as_NotAuthorized()
    {
        var tenant = await NewTenantAsync();
        var (_, deviceA, _) = await NewDeviceAsync();
        var (_, deviceB, optionsB) = await NewDeviceAsync();
        await using var client = await service.ConnectAsync(deviceA);
        var registerAsB = new RegisterRequest
        {
            EkPublic = await VirtualDevices.EkPublicAsync(Tpm, optionsB),
            EkCertificate = optionsB.EkCertificate!,
            EkIntermediates = optionsB.EkIntermediates,
            AkPublic = await VirtualDevices.SpareKeyPublicAsync(Tpm, KeyTemplates.AkEccP256),
        };

        await Refusals.ExpectAsync(ProvisioningError.NotAuthorized, () => client.RegisterAsync(registerAsB));

        await Refusals.AssertRefusedAsync(service, tenant, deviceA, ProvisioningError.NotAuthorized, AuditTrail.Unassigned);
        await Refusals.AssertNothingIssuedAsync(service, tenant, deviceB);
        Assert.DoesNotContain(await service.ReadAuditLogAsync(tenant.TenantId), e => e.Event.Subject == deviceB);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task A_publish_on_another_devices_request_topic_is_refused_counted_and_registers_nothing()
    {
        var tenant = await NewTenantAsync();
        var (_, deviceA, _) = await NewDeviceAsync();
        var (_, deviceB, optionsB) = await NewDeviceAsync();
        // a register B itself could send: if the endpoint routed it, B's grain would challenge it
        var registerOfB = JsonSerializer.SerializeToUtf8Bytes(new RegisterRequest
        {
            EkPublic = await VirtualDevices.EkPublicAsync(Tpm, optionsB),
            EkCertificate = optionsB.EkCertificate!,
            EkIntermediates = optionsB.EkIntermediates,
            AkPublic = await VirtualDevices.SpareKeyPublicAsync(Tpm, KeyTemplates.AkEccP256),
        }, ProtocolJson.Default.RegisterRequest);
        using var counter = EndpointCounter.Refusals(service);
        using var mqtt = new MqttClientFactory().CreateMqttClient();
        var received = new ConcurrentQueue<MqttApplicationMessage>();
        mqtt.ApplicationMessageReceivedAsync += e =>
        {
            received.Enqueue(e.ApplicationMessage);
            return Task.CompletedTask;
        };
        using var serverCertificate = X509CertificateLoader.LoadCertificate(service.Mqtt.ServerCertificate.RawData);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await mqtt.ConnectAsync(new MqttClientOptionsBuilder()
            .WithClientId(deviceA)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithTcpServer("127.0.0.1", service.Mqtt.TlsPort)
            .WithTlsOptions(tls => tls.UseTls().WithCertificateValidationHandler(args => args.Certificate.GetRawCertData().AsSpan().SequenceEqual(serverCertificate.RawData)))
            .Build(), timeout.Token);

        var subscribed = await mqtt.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(Topics.DeviceSubtree(deviceA) + "#", MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter(Topics.DeviceSubtree(deviceB) + "#", MqttQualityOfServiceLevel.AtLeastOnce)
            .Build(), timeout.Token);
        var published = await mqtt.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(Topics.Request(deviceB, Topics.Operations.Register))
            .WithResponseTopic(Topics.Response(deviceB, Topics.Operations.Register))
            .WithCorrelationData(RandomNumberGenerator.GetBytes(16))
            .WithPayload(registerOfB)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build(), timeout.Token);
        await Task.Delay(TimeSpan.FromSeconds(1), timeout.Token);   // time for a reply that must not come

        Assert.Equal([MqttClientSubscribeResultCode.GrantedQoS1, MqttClientSubscribeResultCode.NotAuthorized], subscribed.Items.Select(i => i.ResultCode));
        Assert.False(published.IsSuccess);
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, published.ReasonCode);
        Assert.Empty(received);
        Assert.Equal(1, counter[MqttRefusals.PublishTopic]);
        Assert.Equal(1, counter[MqttRefusals.SubscribeTopic]);
        // B was never registered: no challenge, no record, no audit entry anywhere
        await Refusals.AssertNothingIssuedAsync(service, tenant, deviceB);
        Assert.Null(await service.Grains.GetGrain<IDeviceGrain>(deviceB).GetAsync(tenant.TenantId));
        Assert.DoesNotContain(await service.ReadAuditLogAsync(tenant.TenantId), e => e.Event.Subject == deviceB);
        Assert.DoesNotContain(await service.ReadAuditLogAsync(AuditTrail.Unassigned), e => e.Event.Subject == deviceB);
        await mqtt.DisconnectAsync(cancellationToken: timeout.Token);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task A_request_over_the_size_limit_is_refused_as_MessageTooLarge_and_counted()
    {
        var tenant = await NewTenantAsync();
        var (_, deviceId, _) = await NewDeviceAsync();
        await using var client = await service.ConnectAsync(deviceId);
        using var counter = EndpointCounter.Refusals(service);
        var payload = new byte[70 * 1024];
        Array.Fill(payload, (byte)' ');

        await Refusals.ExpectAsync(ProvisioningError.MessageTooLarge, () => client.RequestRawAsync(Topics.Operations.Register, payload));

        Assert.Equal(1, counter[MqttRefusals.MessageTooLarge]);
        await Refusals.AssertNothingIssuedAsync(service, tenant, deviceId);
        Assert.True(client.IsConnected, "a refused request does not cost the device its connection");
    }

    [Fact(Timeout = TestTimeout)]
    public async Task An_EK_certificate_of_another_EK_from_the_same_manufacturer_is_refused_as_EkMismatch()
    {
        var tenant = await NewTenantAsync();
        var (enrollment, deviceId, _) = await NewDeviceAsync();
        var someoneElse = await VirtualDevices.ManufactureAsync(Tpm, Manufacturer);
        await using var client = await service.ConnectAsync(deviceId);
        // the device id follows the EK public area, so that stays; only the certificate is another TPM's
        var channel = new TamperingChannel(client) { Register = r => r with { EkCertificate = someoneElse.EkCertificate! } };

        await Refusals.ExpectAsync(ProvisioningError.EkMismatch, () => enrollment.EnrollAsync(channel));

        await Refusals.AssertRefusedAsync(service, tenant, deviceId, ProvisioningError.EkMismatch, tenant.TenantId);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task An_expired_EK_certificate_is_refused_as_EkCertificateNotTimeValid()
    {
        var tenant = await NewTenantAsync();
        var expired = new EkCertificateProfile { NotBeforeOffset = TimeSpan.FromDays(-30), NotAfterOffset = TimeSpan.FromDays(-1) };
        var (enrollment, deviceId, _) = await NewDeviceAsync(expired);
        await using var client = await service.ConnectAsync(deviceId);

        await Refusals.ExpectAsync(ProvisioningError.EkCertificateNotTimeValid, () => enrollment.EnrollAsync(client));

        await Refusals.AssertRefusedAsync(service, tenant, deviceId, ProvisioningError.EkCertificateNotTimeValid, AuditTrail.Unassigned);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task An_AK_that_is_not_a_restricted_key_is_refused_as_InvalidAttestationKey()
    {
        var tenant = await NewTenantAsync();
        var (enrollment, deviceId, _) = await NewDeviceAsync();
        var signingKey = await VirtualDevices.SpareKeyPublicAsync(Tpm, KeyTemplates.DeviceEccP256);
        await using var client = await service.ConnectAsync(deviceId);
        var channel = new TamperingChannel(client) { Register = r => r with { AkPublic = signingKey } };

        await Refusals.ExpectAsync(ProvisioningError.InvalidAttestationKey, () => enrollment.EnrollAsync(channel));

        await Refusals.AssertRefusedAsync(service, tenant, deviceId, ProvisioningError.InvalidAttestationKey, tenant.TenantId);
    }

    // ---- attest ------------------------------------------------------------------------------------------------

    [Fact(Timeout = TestTimeout)]
    public async Task An_attest_replayed_after_its_challenge_was_spent_and_after_a_new_register_is_refused_as_NoChallenge()
    {
        var tenant = await NewTenantAsync();
        var (enrollment, deviceId, _) = await NewDeviceAsync();
        await using var client = await service.ConnectAsync(deviceId);
        RegisterRequest? register = null;
        AttestRequest? genuine = null;
        // the first answer on the wire is spoiled, which spends the challenge; the genuine one is kept for replay
        var channel = new TamperingChannel(client)
        {
            Register = r => register = r,
            Attest = a => (genuine = a) with { ActivatedSecret = Flip(a.ActivatedSecret) },
        };
        await Refusals.ExpectAsync(ProvisioningError.ActivationFailed, () => enrollment.EnrollAsync(channel));

        await Refusals.ExpectAsync(ProvisioningError.NoChallenge, () => client.AttestAsync(genuine!));
        var fresh = await client.RegisterAsync(register!);
        Assert.NotEqual(genuine!.Nonce, fresh.Nonce);
        await Refusals.ExpectAsync(ProvisioningError.NoChallenge, () => client.AttestAsync(genuine));

        Assert.Null(await service.Store.GetDeviceAsync(tenant.TenantId, deviceId));
        // the device is no tenant's before its TPM proved itself; the fresh challenge is still open (answering it spends it)
        Assert.Null(await service.Grains.GetGrain<IDeviceGrain>(deviceId).GetAsync(tenant.TenantId));
        await Refusals.ExpectAsync(ProvisioningError.ActivationFailed, () => client.AttestAsync(genuine with { Nonce = fresh.Nonce }));
        var audit = await service.ReadAuditLogAsync(tenant.TenantId);
        Assert.Equal(2, audit.Count(e => e.Event.Subject == deviceId && e.Event.Outcome == $"refused:{ProvisioningError.NoChallenge}"));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task An_attest_after_the_challenge_expired_is_refused_as_ChallengeExpired()
    {
        var shortLived = ServiceFixture.With(new Dictionary<string, string?> { ["Provisioning:ChallengeLifetime"] = "00:00:01" });
        await shortLived.InitializeAsync();
        try
        {
            var tenant = await NewTenantAsync(on: shortLived);
            var (enrollment, deviceId, _) = await NewDeviceAsync();
            await using var client = await shortLived.ConnectAsync(deviceId);
            var channel = new TamperingChannel(client) { DelayBeforeAttest = TimeSpan.FromSeconds(1.5) };

            await Refusals.ExpectAsync(ProvisioningError.ChallengeExpired, () => enrollment.EnrollAsync(channel));

            await Refusals.AssertRefusedAsync(shortLived, tenant, deviceId, ProvisioningError.ChallengeExpired, tenant.TenantId);
            // expired means spent: answering it again does not revive it
            await Refusals.ExpectAsync(ProvisioningError.NoChallenge, () => client.AttestAsync(channel.Attests[0]));
        }
        finally
        {
            await shortLived.DisposeAsync();
        }
    }

    [Fact(Timeout = TestTimeout)]
    public async Task A_wrong_activated_secret_is_refused_as_ActivationFailed()
    {
        var tenant = await NewTenantAsync();
        var (enrollment, deviceId, _) = await NewDeviceAsync();
        await using var client = await service.ConnectAsync(deviceId);
        var channel = new TamperingChannel(client) { Attest = a => a with { ActivatedSecret = Flip(a.ActivatedSecret, a.ActivatedSecret.Length - 1) } };

        await Refusals.ExpectAsync(ProvisioningError.ActivationFailed, () => enrollment.EnrollAsync(channel));

        await Refusals.AssertRefusedAsync(service, tenant, deviceId, ProvisioningError.ActivationFailed, tenant.TenantId);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task A_quote_over_an_older_challenges_nonce_is_refused_as_QuoteInvalid()
    {
        var tenant = await NewTenantAsync();
        var (enrollment, deviceId, _) = await NewDeviceAsync();
        await using var client = await service.ConnectAsync(deviceId);
        var channel = new OlderNonceChannel(client);

        await Refusals.ExpectAsync(ProvisioningError.QuoteInvalid, () => enrollment.EnrollAsync(channel));

        await Refusals.AssertRefusedAsync(service, tenant, deviceId, ProvisioningError.QuoteInvalid, tenant.TenantId);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task PCR_values_outside_the_group_policy_are_refused_as_PcrPolicyViolation()
    {
        var notThisFirmware = Convert.ToHexStringLower(SHA256.HashData("firmware this device does not run"u8));
        var tenant = await NewTenantAsync(p => p with { AllowedPcrValues = ImmutableDictionary<int, ImmutableList<string>>.Empty.Add(0, [notThisFirmware]) });
        var (enrollment, deviceId, _) = await NewDeviceAsync();
        await using var client = await service.ConnectAsync(deviceId);

        await Refusals.ExpectAsync(ProvisioningError.PcrPolicyViolation, () => enrollment.EnrollAsync(client));

        await Refusals.AssertRefusedAsync(service, tenant, deviceId, ProvisioningError.PcrPolicyViolation, tenant.TenantId);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task A_device_key_other_than_the_certified_one_is_refused_as_CertifyInvalid()
    {
        var tenant = await NewTenantAsync();
        var (enrollment, deviceId, _) = await NewDeviceAsync();
        var otherKey = await VirtualDevices.SpareKeyPublicAsync(Tpm, KeyTemplates.DeviceEccP256);
        await using var client = await service.ConnectAsync(deviceId);
        var channel = new TamperingChannel(client) { Attest = a => a with { DeviceKeyPublic = otherKey } };

        await Refusals.ExpectAsync(ProvisioningError.CertifyInvalid, () => enrollment.EnrollAsync(channel));

        await Refusals.AssertRefusedAsync(service, tenant, deviceId, ProvisioningError.CertifyInvalid, tenant.TenantId);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task A_CSR_for_a_key_other_than_the_certified_one_is_refused_as_CsrInvalid()
    {
        var tenant = await NewTenantAsync();
        var (enrollment, deviceId, _) = await NewDeviceAsync();
        using var softwareKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = new CertificateRequest($"CN={deviceId}", softwareKey, HashAlgorithmName.SHA256).CreateSigningRequest();
        await using var client = await service.ConnectAsync(deviceId);
        var channel = new TamperingChannel(client) { Attest = a => a with { Csr = csr } };

        await Refusals.ExpectAsync(ProvisioningError.CsrInvalid, () => enrollment.EnrollAsync(channel));

        await Refusals.AssertRefusedAsync(service, tenant, deviceId, ProvisioningError.CsrInvalid, tenant.TenantId);
    }

    /// <summary>
    /// Registers the device's request twice (same AK), so the second challenge replaces the first, and hands the
    /// device the second challenge's credential with the first one's nonce: the device activates correctly but quotes
    /// (and certifies) the older nonce with its real AK; the attest then names the open challenge's nonce. Only the
    /// quote's nonce is wrong — which is what replaying an older challenge's quote amounts to.
    /// </summary>
    private sealed class OlderNonceChannel(IEnrollmentChannel inner) : IEnrollmentChannel
    {
        private byte[]? _openNonce;

        public string DeviceId => inner.DeviceId;

        public async Task<ChallengeResponse> RegisterAsync(RegisterRequest request, CancellationToken cancellationToken = default)
        {
            var older = await inner.RegisterAsync(request, cancellationToken);
            var open = await inner.RegisterAsync(request, cancellationToken);
            Assert.False(older.Nonce.AsSpan().SequenceEqual(open.Nonce));
            _openNonce = open.Nonce;
            return open with { Nonce = older.Nonce };
        }

        public Task<IssuedResponse> AttestAsync(AttestRequest request, CancellationToken cancellationToken = default) =>
            inner.AttestAsync(request with { Nonce = _openNonce! }, cancellationToken);
    }
}
