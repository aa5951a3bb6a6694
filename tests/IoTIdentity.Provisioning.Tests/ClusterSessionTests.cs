using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Provisioning.Abstractions.Monitoring;
using IoTIdentity.Provisioning.Grains.Monitoring;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// Two silos with embedded brokers (localhost clustering, one SQLite file): each admits a device's certificate on its
/// own, so a device that moves between them is, for a moment, heard on both. A device that moves cleanly, or loses
/// power on one and comes back on the other (its dead session there asked whether its peer is there, and ended), is no
/// clone; a second holder of the certificate on the other silo while the device's session lives is one, even if it
/// leaves at once. Devices with emulated TPMs (software keys), the real endpoints over TLS, the real monitoring.
/// </summary>
public sealed class ClusterSessionTests(TwoSilos silos) : IClassFixture<TwoSilos>
{
    private const int TestTimeout = 180_000;

    /// <summary>The grace and the time for the judgement's answers to arrive.</summary>
    private static readonly TimeSpan Judged = MonitoringOptions.DefaultConcurrentSessionGrace + TimeSpan.FromSeconds(3);

    [Fact(Timeout = TestTimeout)]
    public async Task A_device_that_loses_power_and_comes_back_on_the_other_silo_is_no_clone_and_its_dead_session_ends()
    {
        await using var site = await ClusterSite.EnrolAsync(silos);
        var device = site.Devices[0];
        var before = VanishingPeer.LocalPortsOf(Environment.ProcessId, silos.First.Mqtt.TlsPort);
        var lost = await device.ConnectAsync(silos.First);
        var port = Assert.Single(VanishingPeer.LocalPortsOf(Environment.ProcessId, silos.First.Mqtt.TlsPort).Except(before));
        Assert.True(await device.HeldOnAsync(silos.First, true, TimeSpan.FromSeconds(5)));
        try
        {
            using (VanishingPeer.Drop(port, silos.First.Mqtt.TlsPort))   // power gone: nothing more from the device on that connection
            {
                // back at once, through the other silo; the first still holds the dead session (its keep-alive is far off)
                await using var back = await device.ConnectAsync(silos.Second);
                Assert.True(back.IsAuthenticated);
                Assert.True(await device.HeldOnAsync(silos.First, true, TimeSpan.Zero), "the first silo let go of the session before it was asked");

                // asked by monitoring, the first silo finds its session's peer gone and ends it; no clone is judged
                Assert.False(await device.HeldOnAsync(silos.First, false, TimeSpan.FromSeconds(10)), "the dead session on the first silo was not ended");
                await Task.Delay(Judged);
                Assert.Empty(await site.FindingsAsync());
                Assert.True(back.IsConnected);
            }
        }
        finally
        {
            await lost.DisposeAsync();
        }
    }

    /// <summary>
    /// A site's power cut: every device on the first silo vanishes at once, and all come back through the other silo at
    /// once, in a random order, while the first still holds every dead session. Each is admitted, each dead session is
    /// asked and ended, and no clone is judged.
    /// </summary>
    [Fact(Timeout = TestTimeout)]
    public async Task A_site_that_loses_power_and_comes_back_through_the_other_silo_in_any_order_opens_nothing()
    {
        await using var site = await ClusterSite.EnrolAsync(silos, 8);
        var random = new Random(Environment.TickCount);
        var port = silos.First.Mqtt.TlsPort;
        var before = VanishingPeer.LocalPortsOf(Environment.ProcessId, port);
        var lost = new List<EnrollmentClient>();
        var dropped = new List<IDisposable>();
        try
        {
            foreach (var device in site.Devices) lost.Add(await device.ConnectAsync(silos.First));
            var ports = VanishingPeer.LocalPortsOf(Environment.ProcessId, port).Except(before).ToList();
            Assert.Equal(site.Devices.Count, ports.Count);
            dropped.AddRange(ports.Select(p => VanishingPeer.Drop(p, port)));

            var back = await Task.WhenAll(site.Devices.OrderBy(_ => random.Next()).Select(d => d.ConnectAsync(silos.Second)));
            try
            {
                Assert.All(back, session => Assert.True(session.IsAuthenticated));
                foreach (var device in site.Devices)
                    Assert.False(await device.HeldOnAsync(silos.First, false, TimeSpan.FromSeconds(10)), $"the dead session of {device.Id} on the first silo was not ended");
                await Task.Delay(Judged);
                Assert.Empty(await site.FindingsAsync());
                Assert.All(back, session => Assert.True(session.IsConnected));
            }
            finally
            {
                foreach (var session in back) await session.DisposeAsync();
            }
        }
        finally
        {
            foreach (var rule in dropped) rule.Dispose();
            foreach (var session in lost) await session.DisposeAsync();
        }
    }

    [Fact(Timeout = TestTimeout)]
    public async Task A_device_moving_between_silos_again_and_again_is_no_clone()
    {
        await using var site = await ClusterSite.EnrolAsync(silos);
        var device = site.Devices[0];
        var random = new Random(20261206);
        var silo = random.Next(2);
        for (var move = 0; move < 6; move++)
        {
            // a clean DISCONNECT, and at once (or after a moment) a CONNECT to either silo
            await using (var session = await device.ConnectAsync(silo == 0 ? silos.First : silos.Second))
            {
                Assert.True(session.IsAuthenticated);
                await Task.Delay(random.Next(0, 300));
            }
            if (random.Next(3) == 0) await Task.Delay(random.Next(0, 200));
            silo = random.Next(4) == 0 ? silo : 1 - silo;
        }
        await Task.Delay(Judged);
        Assert.Empty(await site.FindingsAsync());
    }

    [Theory(Timeout = TestTimeout)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_second_holder_of_the_certificate_on_the_other_silo_while_the_device_is_there_is_a_clone_finding(bool leavesAtOnce)
    {
        await using var site = await ClusterSite.EnrolAsync(silos);
        var device = site.Devices[0];
        await using var genuine = await device.ConnectAsync(silos.First);
        var clone = await device.ConnectAsync(silos.Second);           // no shared registry: admitted there
        Assert.True(clone.IsAuthenticated);
        if (leavesAtOnce) await clone.DisposeAsync();                   // it connects, acts and leaves

        var deadline = DateTime.UtcNow + Judged + TimeSpan.FromSeconds(10);
        IReadOnlyList<Finding> findings;
        while ((findings = await site.FindingsAsync()).Count == 0 && DateTime.UtcNow < deadline) await Task.Delay(200);
        var finding = Assert.Single(findings);
        Assert.Equal((FindingKind.CloneSuspected, "concurrent-sessions"), (finding.Kind, finding.Evidence["signal"]));
        Assert.Equal([device.Id], finding.Devices);

        // the genuine device's live session was asked and answered: it stays
        Assert.True(genuine.IsConnected);
        Assert.True(await device.HeldOnAsync(silos.First, true, TimeSpan.Zero));
        if (!leavesAtOnce) await clone.DisposeAsync();
    }
}
