using System.Security.Cryptography;
using IoTIdentity.Protocol.Messages;
using IoTIdentity.Provisioning.Grains;
using Microsoft.Extensions.DependencyInjection;

namespace IoTIdentity.DeviceAgent.Tests;

/// <summary>Commands on iotid/v1/{id}/cmd: signed by the tenant's issuing CA, executed once, forgeries ignored.</summary>
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
}
