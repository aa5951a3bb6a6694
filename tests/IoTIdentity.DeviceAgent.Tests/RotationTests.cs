using IoTIdentity.Simulator.Swtpm;

namespace IoTIdentity.DeviceAgent.Tests;

/// <summary>A service whose MQTT port survives a restart (so an agent can come back to it).</summary>
public sealed class RestartableService : IAsyncLifetime
{
    public ServiceFixture Service { get; } = ServiceFixture.With(new Dictionary<string, string?> { ["Mqtt:TlsPort"] = FreePorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture) });

    public Task InitializeAsync() => Service.InitializeAsync();

    public Task DisposeAsync() => Service.DisposeAsync();
}

/// <summary>The daemon against the real service: first enrolment, scheduled rotation, recovery after expiry.</summary>
public sealed class RotationTests(RestartableService fixture) : IClassFixture<RestartableService>
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(12);
    private ServiceFixture Service => fixture.Service;

    [Fact]
    public async Task The_daemon_enrols_at_first_start_rotates_before_expiry_and_the_service_agrees()
    {
        await using var device = await AgentHarness.StartAsync(Service, Lifetime);
        var daemon = device.NewDaemon();
        await daemon.StartAsync(CancellationToken.None);
        try
        {
            await AgentHarness.EventuallyAsync(() => Task.FromResult(device.Store.Load() is not null), TimeSpan.FromSeconds(30), "first enrolment");
            var first = device.Store.Load()!;
            var firstKey = first.DeviceKey.Public.Raw;

            await AgentHarness.EventuallyAsync(() => Task.FromResult(device.Store.Load()!.Metadata.SerialNumber != first.Metadata.SerialNumber),
                Lifetime + TimeSpan.FromSeconds(15), "a rotation");
            var second = device.Store.Load()!;
            Assert.True(DateTimeOffset.UtcNow < first.Metadata.NotAfter + TimeSpan.FromSeconds(2), "rotated before the first certificate expired");
            Assert.NotEqual(firstKey, second.DeviceKey.Public.Raw);   // a new TPM key, not a re-issue

            await AgentHarness.EventuallyAsync(() => Task.FromResult(device.Store.Load()!.Metadata.SerialNumber != second.Metadata.SerialNumber),
                Lifetime + TimeSpan.FromSeconds(15), "a second rotation (it keeps serving)");
            await daemon.StopAsync(CancellationToken.None);

            var stored = device.Store.Load()!;
            var view = await device.ServiceViewAsync();
            Assert.Equal(stored.Metadata.SerialNumber, view!.CertificateSerial);
            Assert.Contains(first.Metadata.SerialNumber, view.PastSerials);
            Assert.Single(Directory.EnumerateDirectories(device.Options.StateDirectory, "gen-*"));
        }
        finally
        {
            await daemon.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task After_the_service_was_down_longer_than_the_lifetime_the_daemon_re_enrols_from_the_EK()
    {
        await using var device = await AgentHarness.StartAsync(Service, Lifetime);
        var daemon = device.NewDaemon();
        await daemon.StartAsync(CancellationToken.None);
        try
        {
            await AgentHarness.EventuallyAsync(() => Task.FromResult(device.Store.Load() is not null), TimeSpan.FromSeconds(30), "first enrolment");
            var before = device.Store.Load()!;

            await Service.StopAsync();
            await Task.Delay(before.Metadata.NotAfter - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1));
            Assert.True(device.Store.Load()!.IsExpired(DateTimeOffset.UtcNow));
            await Service.StartAsync();
            await device.WriteTrustAnchorAsync();

            await AgentHarness.EventuallyAsync(() => Task.FromResult(device.Store.Load() is { } now && !now.IsExpired(DateTimeOffset.UtcNow)),
                TimeSpan.FromSeconds(30), "recovery by re-attestation");
            var after = device.Store.Load()!;
            Assert.NotEqual(before.Metadata.SerialNumber, after.Metadata.SerialNumber);
            var view = await device.ServiceViewAsync();
            Assert.Contains(view!.CertificateSerial, new[] { after.Metadata.SerialNumber, device.Store.Load()!.Metadata.SerialNumber });
        }
        finally
        {
            await daemon.StopAsync(CancellationToken.None);
        }
    }
}
