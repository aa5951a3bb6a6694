using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Protocol;
using IoTIdentity.Protocol.Messages;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Grains.Devices;
using IoTIdentity.Simulator.Factory;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// A device may hold at most <c>Provisioning:MaxValidCertificatesPerDevice</c> certificates that have not expired (here
/// 3): every valid certificate stays in its state, so a device renewing again and again within one lifetime is refused
/// <c>RateLimited</c> until its oldest expires — by enrolment or renewal, at the register or, when several challenges
/// were open at once, at the issuance — and its state never holds more. Emulated devices through the real service,
/// whose clock the test moves.
/// </summary>
public sealed class ValidCertificateLimitTests(ValidCertificateLimitTests.Service service) : IClassFixture<ValidCertificateLimitTests.Service>
{
    private const int TestTimeout = 180_000;
    private const int Limit = 3;
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    /// <summary>The service with the limit at <see cref="Limit"/>, a clock the test moves, and no request rate limit.</summary>
    public sealed class Service : IAsyncLifetime
    {
        public ShiftedTimeProvider Clock { get; } = new();

        public ServiceFixture Fixture { get; }

        public string FleetDirectory { get; } = Directory.CreateTempSubdirectory("iotid-certlimit-").FullName;

        public Service() => Fixture = ServiceFixture.WithClock(Clock, new Dictionary<string, string?>
        {
            ["Provisioning:MaxValidCertificatesPerDevice"] = $"{Limit}",
            ["Mqtt:DeviceRequestsPerWindow"] = "1000000", ["Mqtt:AddressRequestsPerWindow"] = "1000000",
        });

        public Task InitializeAsync() => Fixture.InitializeAsync();

        public async Task DisposeAsync()
        {
            await Fixture.DisposeAsync();
            Directory.Delete(FleetDirectory, recursive: true);
        }
    }

    private ServiceFixture Fixture => service.Fixture;

    [Fact(Timeout = TestTimeout)]
    public async Task A_device_holding_the_most_valid_certificates_is_refused_another_until_the_oldest_expires_by_enrolment_or_renewal()
    {
        var (fleet, device) = await DeviceOfNewTenantAsync("cl");
        await using var _ = fleet;
        await using var enrolmentOnly = await Fixture.ConnectAsync(device.DeviceId);
        var issued = new List<EnrollmentResult>();
        // a minute apart, so they expire a minute apart
        for (var i = 0; i < Limit; i++)
        {
            if (i > 0) service.Clock.Advance(TimeSpan.FromMinutes(1));
            issued.Add(await fleet.EnrolAsync(device, enrolmentOnly));
        }

        // full: an enrolment and a renewal are both refused at the register, told to come back when the oldest expires
        var refused = await Refusals.ExpectAsync(ProvisioningError.RateLimited, () => fleet.EnrolAsync(device, enrolmentOnly));
        var untilOldestExpires = issued[0].Issued.NotAfter - Now;
        Assert.InRange(refused.RetryAfter!.Value, untilOldestExpires - TimeSpan.FromSeconds(5), untilOldestExpires + TimeSpan.FromSeconds(2));
        await using (var session = await Fixture.ConnectAuthenticatedAsync(fleet, device, issued[^1]))
            await Refusals.ExpectAsync(ProvisioningError.RateLimited, () => fleet.RenewAsync(device, session, issued[^1]));
        Assert.Equal(Limit, (await StoredStateAsync(device.DeviceId)).Certificates.Count);

        // the oldest expires: there is room for one more (an enrolment: the emulated device signs a renewal's proof with
        // its own clock, which the test does not move)
        service.Clock.Advance(untilOldestExpires + TimeSpan.FromSeconds(2));
        await using var again = await Fixture.ConnectAsync(device.DeviceId); // the authenticated session took the client id over
        issued.Add(await fleet.EnrolAsync(device, again));
        await Refusals.ExpectAsync(ProvisioningError.RateLimited, () => fleet.EnrolAsync(device, again));
        var state = await StoredStateAsync(device.DeviceId);
        Assert.Equal(Limit, state.Certificates.Count(c => c.NotAfter > Now));
        Assert.Equal(issued[^1].Issued.SerialNumber, state.Current!.SerialNumber);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Challenges_opened_while_there_was_room_do_not_issue_past_the_limit()
    {
        var (fleet, device) = await DeviceOfNewTenantAsync("co");
        await using var _ = fleet;
        await using var enrolmentOnly = await Fixture.ConnectAsync(device.DeviceId);
        for (var i = 0; i < Limit - 1; i++) await fleet.EnrolAsync(device, enrolmentOnly);

        // two registers while one place is free, then both attests
        var first = await TamperingChannel.HeldAttestAsync(enrolmentOnly, channel => fleet.EnrolAsync(device, channel));
        var second = await TamperingChannel.HeldAttestAsync(enrolmentOnly, channel => fleet.EnrolAsync(device, channel));
        var last = await enrolmentOnly.AttestAsync(first);
        await Refusals.ExpectAsync(ProvisioningError.RateLimited, () => enrolmentOnly.AttestAsync(second));

        var state = await StoredStateAsync(device.DeviceId);
        Assert.Equal(Limit, state.Certificates.Count);
        Assert.Equal(last.SerialNumber, state.Current!.SerialNumber);
    }

    private DateTimeOffset Now => Fixture.App.Services.GetRequiredService<TimeProvider>().GetUtcNow();

    /// <summary>A new tenant whose certificates live <see cref="Lifetime"/>, and a new emulated device its group trusts.</summary>
    private async Task<(Fleet Fleet, FleetDevice Device)> DeviceOfNewTenantAsync(string prefix)
    {
        var fleet = Fleet.CreateEmulated(Path.Combine(service.FleetDirectory, Guid.NewGuid().ToString("N")), 1);
        await Fixture.CreateTenantAsync($"{prefix}-{Guid.NewGuid():N}"[..20], [fleet.Manufacturer.RootDer], p => p with { CertificateLifetime = Lifetime });
        return (fleet, fleet.Devices[0]);
    }

    private async Task<DeviceState> StoredStateAsync(string deviceId) =>
        Fixture.App.Services.GetRequiredService<Serializer>().Deserialize<DeviceState>((await Fixture.Store.ReadAsync("device.device", deviceId))!.Data)!;
}
