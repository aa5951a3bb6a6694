using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Provisioning.Grains.Monitoring;
using Microsoft.Extensions.DependencyInjection;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// A rolling restart of a cluster with embedded brokers: one silo stops, its broker telling its devices it is shutting
/// down, and they all come back at once through the other silo: no device is taken for a clone. It shows that a silo
/// stopping gracefully reports its session ends before its devices are heard elsewhere (it passes with every suspicion
/// judged a clone too); a silo that dies without reporting is held by MonitorSessionJudgementTests and DetectorTests.
/// Its own pair of silos, since the test stops one.
/// </summary>
public sealed class ClusterRollingRestartTests(TwoSilos silos) : IClassFixture<TwoSilos>
{
    [Fact(Timeout = 180_000)]
    public async Task Devices_that_come_back_through_the_other_silo_when_theirs_stops_open_nothing()
    {
        await using var site = await ClusterSite.EnrolAsync(silos, 8);
        var sessions = new List<EnrollmentClient>();
        try
        {
            foreach (var device in site.Devices) sessions.Add(await device.ConnectAsync(silos.Second));
            await silos.StopSecondAsync();
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (sessions.Any(s => s.IsConnected) && DateTime.UtcNow < deadline) await Task.Delay(100);
            Assert.All(sessions, s => Assert.False(s.IsConnected));

            var random = new Random(Environment.TickCount);
            sessions.AddRange(await Task.WhenAll(site.Devices.OrderBy(_ => random.Next()).Select(d => d.ConnectAsync(silos.First))));
            Assert.All(sessions.Skip(site.Devices.Count), s => Assert.True(s.IsAuthenticated));

            // the stopped silo leaves the membership; a judgement that met it still a member was put off one grace
            var membership = silos.First.App.Services.GetRequiredService<Orleans.Runtime.IClusterMembershipService>();
            deadline = DateTime.UtcNow.AddSeconds(60);
            while (membership.CurrentSnapshot.Members.Values.Count(m => m.Status == Orleans.Runtime.SiloStatus.Active) > 1 && DateTime.UtcNow < deadline)
                await Task.Delay(200);
            await Task.Delay(2 * MonitoringOptions.DefaultConcurrentSessionGrace + TimeSpan.FromSeconds(3));
            Assert.Empty(await site.FindingsAsync());
        }
        finally
        {
            foreach (var session in sessions) await session.DisposeAsync();
        }
    }
}
