using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Protocol;
using IoTIdentity.Protocol.Messages;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Simulator.Swtpm.Manufacturing;
using IoTIdentity.Tpm.Ek;
using IoTIdentity.Tpm.Keys;
using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;
using Microsoft.Extensions.DependencyInjection;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// The trust model end to end (<c>docs/trust-model.md</c>), each test named after the property it protects: a real
/// swtpm device is the victim, an adversary holding only public data (or the same TPM re-encoding its key) attacks,
/// and the test asserts the documented refusal, no certificate, the victim still enrolling and renewing, and the audit.
/// </summary>
public sealed class TrustModelTests(ServiceFixture service) : SwtpmBench, IClassFixture<ServiceFixture>
{
    private const int TestTimeout = 120_000;

    private Task<TestTenant> NewTenantAsync(Func<EnrollmentPolicy, EnrollmentPolicy>? policy = null) =>
        service.CreateTenantAsync($"tm-{Guid.NewGuid():N}"[..20], [Manufacturer.RootDer], policy);

    private async Task<(TpmEnrollment Enrollment, string DeviceId, TpmEnrollmentOptions Options)> NewDeviceAsync(string kind = "ecc")
    {
        var options = await VirtualDevices.ManufactureAsync(Tpm, Manufacturer, kind);
        var enrollment = new TpmEnrollment(Tpm, options);
        return (enrollment, await enrollment.ReadDeviceIdAsync(), options);
    }

    /// <summary>Encodings of one EK key that are not what the TPM produced: each would be another device id.</summary>
    private static IEnumerable<(string Name, byte[] Bytes)> Reencodings(byte[] genuine)
    {
        var ek = TpmMarshal.FromBytes<TpmtPublic>(genuine);
        yield return ("userWithAuth attribute", TpmMarshal.ToBytes(ek with { Attributes = ek.Attributes ^ TpmaObject.UserWithAuth }));
        yield return ("noDA attribute", TpmMarshal.ToBytes(ek with { Attributes = ek.Attributes | TpmaObject.NoDa }));
        yield return ("empty authPolicy", TpmMarshal.ToBytes(ek with { AuthPolicy = [] }));
        yield return ("high-range authPolicy", TpmMarshal.ToBytes(ek with { AuthPolicy = EkTemplates.PolicyBSha256 }));
        switch (ek.Parameters, ek.Unique)
        {
            case (TpmsRsaParms rsa, TpmRsaPublicId id):
                yield return ("exponent 65537 instead of 0", TpmMarshal.ToBytes(ek with { Parameters = rsa with { Exponent = 65537 } }));
                yield return ("modulus with a leading zero byte", TpmMarshal.ToBytes(ek with { Unique = new TpmRsaPublicId([0, .. id.Modulus]) }));
                yield return ("the H-1 template", TpmMarshal.ToBytes(EkTemplates.Rsa2048High with { Unique = id }));
                break;
            case (TpmsEccParms ecc, TpmEccPublicId { Point: var q }):
                yield return ("x with a leading zero byte", TpmMarshal.ToBytes(ek with { Unique = new TpmEccPublicId(new TpmsEccPoint([0, .. q.X], q.Y)) }));
                yield return ("an ECDH scheme", TpmMarshal.ToBytes(ek with { Parameters = ecc with { Scheme = new TpmtScheme(TpmAlgId.EcDh, TpmAlgId.Sha256) } }));
                yield return ("the H-2 template", TpmMarshal.ToBytes(EkTemplates.EccP256High with { Unique = ek.Unique }));
                break;
        }
        // the size fields: a public area with bytes after it, and the same area as a TPM2B (size-prefixed)
        yield return ("trailing bytes", [.. genuine, 0]);
        yield return ("size-prefixed", [(byte)(genuine.Length >> 8), (byte)genuine.Length, .. genuine]);
    }

    [Theory(Timeout = TestTimeout)]
    [InlineData("ecc")]
    [InlineData("rsa")]
    public async Task One_TPM_key_obtains_at_most_one_device_id_whatever_the_EK_encoding_and_none_after_revocation(string kind)
    {
        var tenant = await NewTenantAsync();
        var (enrollment, deviceId, options) = await NewDeviceAsync(kind);
        var genuine = await VirtualDevices.EkPublicAsync(Tpm, options);
        EnrollmentResult enrolled;
        await using (var client = await service.ConnectAsync(deviceId)) enrolled = await enrollment.EnrollAsync(client);

        var variants = Reencodings(genuine).ToList();
        foreach (var (name, bytes) in variants)
        {
            var variantId = DeviceIds.FromEkPublic(bytes);
            Assert.NotEqual(deviceId, variantId);
            await using var client = await service.ConnectAsync(variantId);
            var refusal = await Assert.ThrowsAsync<EnrollmentRefusedException>(() => enrollment.EnrollAsync(new ReencodingChannel(client, deviceId, bytes)));
            Assert.True(refusal.Error is ProvisioningError.EkMismatch or ProvisioningError.MalformedTpmStructure, $"{name}: {refusal.Error}");
            await Refusals.AssertRefusedAsync(service, tenant, variantId, refusal.Error,
                refusal.Error == ProvisioningError.EkMismatch ? tenant.TenantId : Grains.AuditTrail.Unassigned);
        }

        // the victim keeps renewing under its one id
        await using (var client = await service.ConnectAuthenticatedAsync(enrollment, enrolled))
            Assert.Equal(deviceId, (await enrollment.RenewAsync(client, enrolled.DeviceKey, enrolled.Issued.SerialNumber)).Issued.DeviceId);

        // revocation follows the key: neither the genuine encoding nor any other comes back
        using (var http = tenant.Http)
            Assert.True((await http.PostAsJsonAsync($"/api/v1/devices/{deviceId}/revoke", new { reason = "keyCompromise" })).IsSuccessStatusCode);
        await using (var client = await service.ConnectAsync(deviceId))
            await Refusals.ExpectAsync(ProvisioningError.Revoked, () => enrollment.EnrollAsync(client));
        foreach (var (name, bytes) in variants)
        {
            await using var client = await service.ConnectAsync(DeviceIds.FromEkPublic(bytes));
            var refusal = await Assert.ThrowsAsync<EnrollmentRefusedException>(() => enrollment.EnrollAsync(new ReencodingChannel(client, deviceId, bytes)));
            Assert.True(refusal.Error is ProvisioningError.EkMismatch or ProvisioningError.MalformedTpmStructure, $"{name} after revocation: {refusal.Error}");
        }
        var issued = (await service.ReadAuditLogAsync(tenant.TenantId)).Where(e => e.Event.Outcome == "issued").Select(e => e.Event.Subject).Distinct();
        Assert.Equal([deviceId], issued);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Groups_of_different_tenants_that_trust_the_same_roots_share_one_EK_certificate_validator()
    {
        using var otherManufacturer = ManufacturerCa.Create(new ManufacturerCaOptions { Name = "Other Trust Model Manufacturer" });
        var first = await NewTenantAsync();
        var second = await NewTenantAsync();
        var third = await service.CreateTenantAsync($"tm-{Guid.NewGuid():N}"[..20], [otherManufacturer.RootDer]);
        var resolver = service.App.Services.GetRequiredService<Grains.Enrollment.EnrollmentResolver>();

        var a = (await resolver.GetPolicyAsync(new GroupKey(first.TenantId, "default")))!.Value;
        var b = (await resolver.GetPolicyAsync(new GroupKey(second.TenantId, "default")))!.Value;
        var c = (await resolver.GetPolicyAsync(new GroupKey(third.TenantId, "default")))!.Value;

        Assert.Equal(first.TenantId, a.Policy.TenantId);
        Assert.Equal(second.TenantId, b.Policy.TenantId);
        Assert.NotNull(a.Validator);
        Assert.Same(a.Validator, b.Validator);
        Assert.NotSame(a.Validator, c.Validator);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task A_strangers_register_does_not_void_the_devices_open_challenge()
    {
        var tenant = await NewTenantAsync();
        var (enrollment, deviceId, options) = await NewDeviceAsync();
        var ekPublic = await VirtualDevices.EkPublicAsync(Tpm, options);
        var strangerAk = await VirtualDevices.SpareKeyPublicAsync(Tpm, KeyTemplates.AkEccP256);
        // between the device's register and its attest, a stranger with the device's public EK data registers twice
        var channel = new InterruptedChannel(service, deviceId, async () =>
        {
            await using var stranger = await service.ConnectAsync(deviceId);
            for (var i = 0; i < 2; i++)
                await stranger.RegisterAsync(new RegisterRequest
                {
                    EkPublic = ekPublic, EkCertificate = options.EkCertificate!, EkIntermediates = options.EkIntermediates, AkPublic = strangerAk,
                });
        });

        var enrolled = await enrollment.EnrollAsync(channel);

        Assert.Equal(deviceId, enrolled.Issued.DeviceId);
        var audit = (await service.ReadAuditLogAsync(tenant.TenantId)).Where(e => e.Event.Subject == deviceId).ToList();
        Assert.Equal(3, audit.Count(e => e.Event.Outcome == "challenged"));
        Assert.Single(audit, e => e.Event.Outcome == "issued");
        await using var client = await service.ConnectAuthenticatedAsync(enrollment, enrolled);
        await enrollment.RenewAsync(client, enrolled.DeviceKey, enrolled.Issued.SerialNumber);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task A_stranger_holding_the_public_EK_data_opens_at_most_four_challenges_for_the_EK_and_the_device_still_renews()
    {
        var tenant = await NewTenantAsync();
        var (enrollment, deviceId, options) = await NewDeviceAsync();
        EnrollmentResult enrolled;
        await using (var client = await service.ConnectAsync(deviceId)) enrolled = await enrollment.EnrollAsync(client);
        var register = new RegisterRequest
        {
            EkPublic = await VirtualDevices.EkPublicAsync(Tpm, options), EkCertificate = options.EkCertificate!, EkIntermediates = options.EkIntermediates,
            AkPublic = await VirtualDevices.SpareKeyPublicAsync(Tpm, KeyTemplates.AkEccP256),
        };

        await using (var stranger = await service.ConnectAsync(deviceId))
        {
            for (var i = 0; i < 4; i++) await stranger.RegisterAsync(register);
            var refused = await Assert.ThrowsAsync<EnrollmentRefusedException>(() => stranger.RegisterAsync(register));
            Assert.Equal(ProvisioningError.RateLimited, refused.Error);
            Assert.True(refused.RetryAfter > TimeSpan.Zero, "the refusal says when a place frees");
        }

        // the renewal, signed with the device's current key, takes the place of a stranger's challenge
        await using (var client = await service.ConnectAuthenticatedAsync(enrollment, enrolled))
            Assert.Equal(deviceId, (await enrollment.RenewAsync(client, enrolled.DeviceKey, enrolled.Issued.SerialNumber)).Issued.DeviceId);
        var audit = (await service.ReadAuditLogAsync(tenant.TenantId)).Where(e => e.Event.Subject == deviceId).ToList();
        Assert.Equal(1 + 4 + 1, audit.Count(e => e.Event.Outcome == "challenged"));
        Assert.Single(audit, e => e.Event.Outcome == "refused:RateLimited");
        Assert.Equal(2, audit.Count(e => e.Event.Outcome == "issued"));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task A_stranger_at_another_address_holding_every_challenge_place_does_not_keep_the_device_from_enrolling()
    {
        var tenant = await NewTenantAsync();
        var (enrollment, deviceId, options) = await NewDeviceAsync();
        var register = new RegisterRequest
        {
            EkPublic = await VirtualDevices.EkPublicAsync(Tpm, options), EkCertificate = options.EkCertificate!, EkIntermediates = options.EkIntermediates,
            AkPublic = await VirtualDevices.SpareKeyPublicAsync(Tpm, KeyTemplates.AkEccP256),
        };
        // the stranger's registers as the edge hands them on, from an address that is not the device's
        var grain = service.Grains.GetGrain<IDeviceGrain>(deviceId);
        for (var i = 0; i < 4; i++)
            Assert.NotNull((await grain.RegisterAsync(new ProtocolRequest<RegisterRequest>(register, [], "203.0.113.9"))).Message);
        Assert.Equal(ProvisioningError.RateLimited, (await grain.RegisterAsync(new ProtocolRequest<RegisterRequest>(register, [], "203.0.113.9"))).Refusal?.Error);

        // the device, connecting from 127.0.0.1, gets a place (the stranger's oldest) and enrols
        EnrollmentResult enrolled;
        await using (var client = await service.ConnectAsync(deviceId)) enrolled = await enrollment.EnrollAsync(client);

        Assert.Equal(deviceId, enrolled.Issued.DeviceId);
        Assert.Equal("Active", (await service.Store.GetDeviceAsync(tenant.TenantId, deviceId))!.State);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Registers_without_a_TPM_neither_use_quota_nor_bind_the_device_to_a_tenant()
    {
        var tenant = await NewTenantAsync(p => p with { Quota = 1 });
        var (squatted, squattedId, squattedOptions) = await NewDeviceAsync();
        var (victim, victimId, _) = await NewDeviceAsync();
        var strangerAk = await VirtualDevices.SpareKeyPublicAsync(Tpm, KeyTemplates.AkEccP256);
        await using (var stranger = await service.ConnectAsync(squattedId))
            await stranger.RegisterAsync(new RegisterRequest
            {
                EkPublic = await VirtualDevices.EkPublicAsync(Tpm, squattedOptions), EkCertificate = squattedOptions.EkCertificate!,
                EkIntermediates = squattedOptions.EkIntermediates, AkPublic = strangerAk,
            });

        using var http = tenant.Http;
        Assert.Equal(0, (await http.GetFromJsonAsync<JsonObject>("/api/v1/tenant"))!["deviceCount"]!.GetValue<int>());
        Assert.Null(await service.Store.GetDeviceAsync(tenant.TenantId, squattedId));
        Assert.NotEqual(HttpStatusCode.OK, (await http.PostAsync($"/api/v1/devices/{squattedId}/disable", null)).StatusCode);

        // the real device takes the group's one place; the squatted one is refused only when its own TPM proves itself
        EnrollmentResult enrolled;
        await using (var client = await service.ConnectAsync(victimId)) enrolled = await victim.EnrollAsync(client);
        await using (var client = await service.ConnectAsync(squattedId))
            await Refusals.ExpectAsync(ProvisioningError.QuotaExceeded, () => squatted.EnrollAsync(client));
        await Refusals.AssertRefusedAsync(service, tenant, squattedId, ProvisioningError.QuotaExceeded, tenant.TenantId);
        await using (var client = await service.ConnectAuthenticatedAsync(victim, enrolled))
            await victim.RenewAsync(client, enrolled.DeviceKey, enrolled.Issued.SerialNumber);
        Assert.Equal(1, (await http.GetFromJsonAsync<JsonObject>("/api/v1/tenant"))!["deviceCount"]!.GetValue<int>());
    }

    [Fact(Timeout = TestTimeout)]
    public async Task A_burst_of_accepted_registers_without_a_TPM_is_audited_ten_times_then_as_one_entry_and_leaves_nothing_durable_for_the_tenant()
    {
        var tenant = await NewTenantAsync(p => p with { Quota = 1 });
        var strangerAk = await VirtualDevices.SpareKeyPublicAsync(Tpm, KeyTemplates.AkEccP256);
        var targets = new List<(string DeviceId, TpmEnrollmentOptions Options)>();
        for (var i = 0; i < 4; i++)
        {
            var (_, id, options) = await NewDeviceAsync();
            targets.Add((id, options));
        }

        // a stranger with the public EK data of four devices fills each one's four challenge places: 16 accepted registers
        foreach (var (id, options) in targets)
        {
            await using var stranger = await service.ConnectAsync(id);
            for (var i = 0; i < 4; i++)
                await stranger.RegisterAsync(new RegisterRequest
                {
                    EkPublic = await VirtualDevices.EkPublicAsync(Tpm, options), EkCertificate = options.EkCertificate!,
                    EkIntermediates = options.EkIntermediates, AkPublic = strangerAk,
                });
        }
        await service.App.Services.GetRequiredService<Grains.Audit.RefusalAggregator>().FlushAsync();

        var ids = targets.Select(t => t.DeviceId).ToHashSet();
        var audit = await service.ReadAuditLogAsync(tenant.TenantId);
        Assert.Equal(10, audit.Count(e => ids.Contains(e.Event.Subject) && e.Event.Outcome == "challenged"));
        var aggregated = Assert.Single(audit, e => e.Event.Details?.ContainsKey("aggregated") == true);
        Assert.Equal(("register", "challenged", "anonymous", "6"),
            (aggregated.Event.Action, aggregated.Event.Outcome, aggregated.Event.Actor, aggregated.Event.Details!["aggregated"]));
        Assert.All(aggregated.Event.Details["devices"].Split(' '), d => Assert.Contains(d, ids));
        Assert.DoesNotContain(audit, e => e.Event.Outcome == "issued");

        // nothing else is durable for the tenant: no inventory row, no binding, no quota used
        using var http = tenant.Http;
        Assert.Equal(0, (await http.GetFromJsonAsync<JsonObject>("/api/v1/tenant"))!["deviceCount"]!.GetValue<int>());
        foreach (var id in ids)
        {
            Assert.Null(await service.Store.GetDeviceAsync(tenant.TenantId, id));
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/api/v1/devices/{id}")).StatusCode);
        }
        var (victim, victimId, _) = await NewDeviceAsync();
        await using (var client = await service.ConnectAsync(victimId))
            Assert.Equal(tenant.TenantId, (await victim.EnrollAsync(client)).Issued.Owner);
        Assert.Equal(1, (await http.GetFromJsonAsync<JsonObject>("/api/v1/tenant"))!["deviceCount"]!.GetValue<int>());
    }

    /// <summary>Connected as the re-encoded id; sends the re-encoded EK public area; the TPM side runs as the real device.</summary>
    private sealed class ReencodingChannel(IEnrollmentChannel inner, string realDeviceId, byte[] ekPublic) : IEnrollmentChannel
    {
        public string DeviceId => realDeviceId;

        public Task<ChallengeResponse> RegisterAsync(RegisterRequest request, CancellationToken cancellationToken = default) =>
            inner.RegisterAsync(request with { EkPublic = ekPublic }, cancellationToken);

        public Task<IssuedResponse> AttestAsync(AttestRequest request, CancellationToken cancellationToken = default) =>
            inner.AttestAsync(request, cancellationToken);
    }

    /// <summary>Registers on one connection, runs <paramref name="between"/>, then attests on a new connection.</summary>
    private sealed class InterruptedChannel(ServiceFixture service, string deviceId, Func<Task> between) : IEnrollmentChannel
    {
        public string DeviceId => deviceId;

        public async Task<ChallengeResponse> RegisterAsync(RegisterRequest request, CancellationToken cancellationToken = default)
        {
            await using var client = await service.ConnectAsync(deviceId);
            return await client.RegisterAsync(request, cancellationToken);
        }

        public async Task<IssuedResponse> AttestAsync(AttestRequest request, CancellationToken cancellationToken = default)
        {
            await between();
            await using var client = await service.ConnectAsync(deviceId);
            return await client.AttestAsync(request, cancellationToken);
        }
    }
}
