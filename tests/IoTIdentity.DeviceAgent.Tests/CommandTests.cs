using System.Security.Cryptography;
using IoTIdentity.Protocol.Management;
using IoTIdentity.Protocol.Messages;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Grains;
using Microsoft.Extensions.DependencyInjection;

namespace IoTIdentity.DeviceAgent.Tests;

/// <summary>
/// Commands on iotid/v1/{id}/cmd: signed by the tenant's issuing CA, executed once, forgeries ignored; an operator's
/// re-attest request (<c>POST /api/v1/devices/{id}/reattest</c>) is such a command.
/// </summary>
public sealed class CommandTests(ServiceFixture service) : IClassFixture<ServiceFixture>
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);
    private DeviceCommandPublisher Publisher => service.App.Services.GetRequiredService<DeviceCommandPublisher>();

    private sealed record Running(AgentHarness Device, AgentDaemon Daemon, ListLogger<AgentDaemon> Log) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Daemon.StopAsync(CancellationToken.None);
            await Device.DisposeAsync();
        }
    }

    private async Task<Running> StartEnrolledAsync()
    {
        var device = await AgentHarness.StartAsync(service, Lifetime);
        var log = new ListLogger<AgentDaemon>();
        var daemon = new AgentDaemon(device.NewAgent(), new CommandVerifier(), log);
        await daemon.StartAsync(CancellationToken.None);
        await AgentHarness.EventuallyAsync(() => Task.FromResult(device.Store.Load() is not null), TimeSpan.FromSeconds(30), "first enrolment");
        await Task.Delay(500);   // the daemon's connection is subscribed to its command topic
        return new Running(device, daemon, log);
    }

    [Fact]
    public async Task A_signed_reenroll_command_gives_a_new_certificate_once_even_when_delivered_twice()
    {
        await using var running = await StartEnrolledAsync();
        var device = running.Device;
        var before = device.Store.Load()!.Metadata.SerialNumber;

        var command = await Publisher.SendAsync(device.Tenant.TenantId, device.DeviceId, DeviceCommandKinds.Reenroll);
        await AgentHarness.EventuallyAsync(() => Task.FromResult(device.Store.Load()!.Metadata.SerialNumber != before), TimeSpan.FromSeconds(30), "re-enrolment");
        var after = device.Store.Load()!;
        Assert.Contains(command.CommandId, after.Metadata.ExecutedCommands);

        await Publisher.PublishAsync(device.DeviceId, command);
        await Task.Delay(3000);
        Assert.Equal(after.Metadata.SerialNumber, device.Store.Load()!.Metadata.SerialNumber);
        Assert.Equal(after.Metadata.SerialNumber, (await device.ServiceViewAsync())!.CertificateSerial);
    }

    [Fact]
    public async Task A_signed_attest_now_command_rotates_with_full_attestation()
    {
        await using var running = await StartEnrolledAsync();
        var device = running.Device;
        var before = device.Store.Load()!;

        await Publisher.SendAsync(device.Tenant.TenantId, device.DeviceId, DeviceCommandKinds.AttestNow);

        await AgentHarness.EventuallyAsync(() => Task.FromResult(device.Store.Load()!.Metadata.SerialNumber != before.Metadata.SerialNumber), TimeSpan.FromSeconds(30), "attestation");
        var view = await device.ServiceViewAsync();
        Assert.Equal(device.Store.Load()!.Metadata.SerialNumber, view!.CertificateSerial);
        Assert.Contains(before.Metadata.SerialNumber, view.PastSerials);
        Assert.NotEqual(before.DeviceKey.Public.Raw, device.Store.Load()!.DeviceKey.Public.Raw);
    }

    [Fact]
    public async Task A_signed_revoke_command_deletes_the_identity_and_the_daemon_stops_using_it()
    {
        await using var running = await StartEnrolledAsync();
        var device = running.Device;

        await Publisher.SendAsync(device.Tenant.TenantId, device.DeviceId, DeviceCommandKinds.Revoke);

        await AgentHarness.EventuallyAsync(() => Task.FromResult(device.Store.Load() is null), TimeSpan.FromSeconds(30), "revocation");
        await Task.Delay(2000);
        Assert.Null(device.Store.Load());   // and it does not quietly enrol again
        Assert.Empty(Directory.EnumerateDirectories(device.Options.StateDirectory, "gen-*"));
        Assert.True(device.NewAgent().Status().Revoked);
    }

    [Fact]
    public async Task Unsigned_and_wrongly_signed_commands_are_ignored_and_logged()
    {
        await using var running = await StartEnrolledAsync();
        var device = running.Device;
        var before = device.Store.Load()!.Metadata.SerialNumber;
        var unsigned = new DeviceCommand { CommandId = "forged-1", Kind = DeviceCommandKinds.Revoke, IssuedAt = DateTimeOffset.UtcNow };
        using var stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var forged = unsigned with
        {
            CommandId = "forged-2",
            Signature = stranger.SignData(DeviceCommands.SignedBytes(device.DeviceId, unsigned with { CommandId = "forged-2" }), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation),
        };
        var real = await Publisher.SendAsync(device.Tenant.TenantId, device.DeviceId, DeviceCommandKinds.AttestNow);
        await AgentHarness.EventuallyAsync(() => Task.FromResult(device.Store.Load()!.Metadata.SerialNumber != before), TimeSpan.FromSeconds(30), "the genuine command first");
        var current = device.Store.Load()!.Metadata.SerialNumber;
        var retargeted = real with { CommandId = "forged-3", Kind = DeviceCommandKinds.Revoke };   // a real signature on other content

        await Publisher.PublishAsync(device.DeviceId, unsigned);
        await Publisher.PublishAsync(device.DeviceId, forged);
        await Publisher.PublishAsync(device.DeviceId, retargeted);
        await service.Mqtt.PublishCommandAsync(device.DeviceId, "not json"u8.ToArray());
        await AgentHarness.EventuallyAsync(() => Task.FromResult(running.Log.Lines.Count(l => l.Contains("Ignored a command", StringComparison.Ordinal)) >= 4),
            TimeSpan.FromSeconds(10), "four ignored commands logged");

        Assert.Equal(current, device.Store.Load()!.Metadata.SerialNumber);
        var ignored = running.Log.Lines.Where(l => l.Contains("Ignored a command", StringComparison.Ordinal)).ToList();
        Assert.Contains(ignored, l => l.Contains("unsigned", StringComparison.Ordinal));
        Assert.Equal(2, ignored.Count(l => l.Contains("bad signature", StringComparison.Ordinal)));
        Assert.DoesNotContain(running.Log.Lines, l => l.Contains(Convert.ToBase64String(forged.Signature!), StringComparison.Ordinal));
    }

    private IotIdClient Api(string key) => new(service.BaseAddress, key);

    private async Task<string> KeyAsync(TestTenant tenant, ApiRole role) =>
        (await service.Grains.GetGrain<ITenantGrain>(tenant.TenantId).CreateApiKeyAsync(role, $"reattest-{role}")).Key;

    [Fact]
    public async Task Reattest_sends_attest_now_to_the_connected_device_which_renews_and_its_history_shows_both_attestations_with_pcrs()
    {
        await using var running = await StartEnrolledAsync();
        var device = running.Device;
        var before = device.Store.Load()!.Metadata.SerialNumber;
        using var operatorApi = Api(await KeyAsync(device.Tenant, ApiRole.Operator));

        var asked = (await operatorApi.ReattestDeviceAsync(device.DeviceId)).Value;

        Assert.Equal("sent", asked.Delivery);
        await AgentHarness.EventuallyAsync(() => Task.FromResult(device.Store.Load()!.Metadata.SerialNumber != before), TimeSpan.FromSeconds(30), "the renewal");
        var after = device.Store.Load()!.Metadata.SerialNumber;
        await AgentHarness.EventuallyAsync(async () => (await operatorApi.GetDeviceAsync(device.DeviceId)).Value.ReattestRequestedAt is null,
            TimeSpan.FromSeconds(10), "the request closed by the accepted attestation");
        var history = (await operatorApi.GetDeviceAttestationsAsync(device.DeviceId)).Value;
        Assert.Equal(new ReattestStatus(asked.RequestedAt, ReattestStatus.Attested, history[0].At), (await operatorApi.GetDeviceAsync(device.DeviceId)).Value.Reattest);
        Assert.Equal([after, before], history.Select(a => a.SerialNumber));
        Assert.Equal([RegisterModes.Renew, RegisterModes.Enroll], history.Select(a => a.Mode));
        Assert.True(history[0].At >= asked.RequestedAt);
        Assert.All(history, a => Assert.NotEmpty(a.Pcrs));
        Assert.Equal((await operatorApi.GetDeviceAsync(device.DeviceId)).Value.Pcrs, history[0].Pcrs);
        var audited = Assert.Single(await service.ReadAuditLogAsync(device.Tenant.TenantId), e => e.Event.Action == "reattest");
        Assert.Equal(device.DeviceId, audited.Event.Subject);
        Assert.StartsWith("api-key:", audited.Event.Actor);
        Assert.Equal(before, audited.Event.Details!["serial"]);
    }

    [Fact]
    public async Task A_reattest_request_sent_again_while_open_is_answered_once()
    {
        await using var running = await StartEnrolledAsync();
        var device = running.Device;
        using var api = Api(await KeyAsync(device.Tenant, ApiRole.Operator));
        var before = device.Store.Load()!.Metadata.SerialNumber;

        await api.ReattestDeviceAsync(device.DeviceId);
        // what the service does when the device subscribes to its commands again (e.g. on its new authenticated session)
        await service.Grains.GetGrain<IDeviceGrain>(device.DeviceId).ResendCommandsAsync();
        await AgentHarness.EventuallyAsync(async () => (await api.GetDeviceAsync(device.DeviceId)).Value.ReattestRequestedAt is null,
            TimeSpan.FromSeconds(30), "the request answered");

        // a second request: the agent runs its commands in order, so a second answer to the first would come before this one
        await api.ReattestDeviceAsync(device.DeviceId);
        await AgentHarness.EventuallyAsync(async () => (await api.GetDeviceAsync(device.DeviceId)).Value.ReattestRequestedAt is null,
            TimeSpan.FromSeconds(30), "the second request answered");
        // (the service closes a request when it accepts the attestation, before the agent stores the certificate, so the
        // history is the record to read: one renewal per request, after the enrolment)
        var history = (await api.GetDeviceAttestationsAsync(device.DeviceId)).Value;
        Assert.Equal([RegisterModes.Renew, RegisterModes.Renew, RegisterModes.Enroll], history.Select(a => a.Mode));
        Assert.Equal(before, history[2].SerialNumber);
        Assert.Equal(3, history.Select(a => a.SerialNumber).Distinct().Count());
    }

    [Fact]
    public async Task Reattest_of_a_device_that_is_not_connected_stays_open_and_is_sent_again_when_the_device_next_subscribes()
    {
        var device = await AgentHarness.StartAsync(service, Lifetime);
        await using (device)
        {
            var first = device.NewDaemon();
            await first.StartAsync(CancellationToken.None);
            await AgentHarness.EventuallyAsync(() => Task.FromResult(device.Store.Load() is not null), TimeSpan.FromSeconds(30), "first enrolment");
            await first.StopAsync(CancellationToken.None);
            using var api = Api(device.Tenant.AdminKey);
            var before = device.Store.Load()!.Metadata.SerialNumber;

            var asked = (await api.ReattestDeviceAsync(device.DeviceId)).Value;

            Assert.Equal(asked.RequestedAt, (await api.GetDeviceAsync(device.DeviceId)).Value.ReattestRequestedAt);
            Assert.Equal(new ReattestStatus(asked.RequestedAt, ReattestStatus.Requested), (await api.GetDeviceAsync(device.DeviceId)).Value.Reattest);
            var second = device.NewDaemon();
            await second.StartAsync(CancellationToken.None);
            try
            {
                await AgentHarness.EventuallyAsync(() => Task.FromResult(device.Store.Load()!.Metadata.SerialNumber != before), TimeSpan.FromSeconds(30),
                    "the renewal asked for while the device was away");
                await AgentHarness.EventuallyAsync(async () => (await api.GetDeviceAsync(device.DeviceId)).Value.ReattestRequestedAt is null,
                    TimeSpan.FromSeconds(10), "the request closed");
                Assert.Equal(ReattestStatus.Attested, (await api.GetDeviceAsync(device.DeviceId)).Value.Reattest!.State);
            }
            finally
            {
                await second.StopAsync(CancellationToken.None);
            }
        }
    }

    [Fact]
    public async Task Reattest_answered_with_an_attestation_the_policy_refuses_shows_failed_with_the_reason_and_stays_open()
    {
        await using var running = await StartEnrolledAsync();
        var device = running.Device;
        var before = device.Store.Load()!.Metadata.SerialNumber;
        var group = service.Grains.GetGroupGrain(new GroupKey(device.Tenant.TenantId, "default"));
        var policy = (await group.GetPolicyAsync())!;
        await group.SetPolicyAsync(policy with
        {
            AllowedPcrValues = System.Collections.Immutable.ImmutableDictionary<int, System.Collections.Immutable.ImmutableList<string>>.Empty
                .Add(0, [new string('1', 64)]),
        });
        using var api = Api(await KeyAsync(device.Tenant, ApiRole.Operator));

        var asked = (await api.ReattestDeviceAsync(device.DeviceId)).Value;

        await AgentHarness.EventuallyAsync(async () => (await api.GetDeviceAsync(device.DeviceId)).Value.Reattest?.State == ReattestStatus.Failed,
            TimeSpan.FromSeconds(30), "the refused answer");
        var shown = (await api.GetDeviceAsync(device.DeviceId)).Value;
        Assert.Equal(asked.RequestedAt, shown.Reattest!.RequestedAt);
        Assert.True(shown.Reattest.AnsweredAt >= asked.RequestedAt);
        Assert.StartsWith("PcrPolicyViolation: PCR 0 value", shown.Reattest.Reason);
        Assert.Equal(asked.RequestedAt, shown.ReattestRequestedAt);
        Assert.Equal(before, shown.CertificateSerial);
        Assert.Contains(await service.ReadAuditLogAsync(device.Tenant.TenantId),
            e => e.Event.Subject == device.DeviceId && e.Event.Outcome == "refused:PcrPolicyViolation");
    }

    [Fact]
    public async Task Reattest_is_for_operators_and_owner_admins_of_the_owner_only_and_every_other_caller_changes_nothing()
    {
        await using var running = await StartEnrolledAsync();
        var device = running.Device;
        var stranger = await service.CreateTenantAsync($"rx-{Guid.NewGuid():N}"[..20], [device.Swtpm.ManufacturerCa.RootDer]);
        var refused = new (string Key, int Status)[]
        {
            (await KeyAsync(device.Tenant, ApiRole.Auditor), 403),
            (stranger.AdminKey, 404),
            (await KeyAsync(stranger, ApiRole.Operator), 404),
            ("iotid.nobody.k.AAAA", 401),
        };
        foreach (var (key, status) in refused)
        {
            using var api = Api(key);
            foreach (var id in new[] { device.DeviceId, device.DeviceId.ToUpperInvariant(), device.DeviceId[..16] })
            {
                var e = await Assert.ThrowsAsync<IotIdApiException>(() => api.ReattestDeviceAsync(id));
                Assert.True(e.Status == status, $"{e.Status} for {id}");
            }
        }
        using var owner = Api(device.Tenant.AdminKey);
        Assert.Null((await owner.GetDeviceAsync(device.DeviceId)).Value.ReattestRequestedAt);
        Assert.DoesNotContain(await service.ReadAuditLogAsync(device.Tenant.TenantId), e => e.Event.Action == "reattest");
        Assert.DoesNotContain(await service.ReadAuditLogAsync(stranger.TenantId), e => e.Event.Action == "reattest");

        foreach (var role in new[] { ApiRole.Operator, ApiRole.OwnerAdmin })
        {
            using var api = Api(await KeyAsync(device.Tenant, role));
            Assert.Equal(device.DeviceId, (await api.ReattestDeviceAsync(device.DeviceId)).Value.DeviceId);
        }
    }

    [Fact]
    public async Task Reattest_of_a_disabled_device_is_a_conflict_and_records_nothing()
    {
        await using var running = await StartEnrolledAsync();
        var device = running.Device;
        using var api = Api(device.Tenant.AdminKey);
        await api.SetDeviceDisabledAsync(device.DeviceId, true);

        var e = await Assert.ThrowsAsync<IotIdApiException>(() => api.ReattestDeviceAsync(device.DeviceId));

        Assert.Equal(409, e.Status);
        Assert.Contains("no certificate it may renew", e.Problem.Detail);
        Assert.Null((await api.GetDeviceAsync(device.DeviceId)).Value.ReattestRequestedAt);
        Assert.DoesNotContain(await service.ReadAuditLogAsync(device.Tenant.TenantId), e => e.Event.Action == "reattest");
    }
}
