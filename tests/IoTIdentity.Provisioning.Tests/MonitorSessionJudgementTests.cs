using IoTIdentity.Provisioning.Abstractions.Monitoring;
using IoTIdentity.Provisioning.Grains.Monitoring;
using Xunit;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// A tenant's monitor hearing a device admitted on one silo while its earlier session on another still seems live: it
/// asks the silos at once whether those sessions' peers are there, and judges after the grace by which of them the silos
/// still hold — a clone when an earlier one still is (or a silo cannot say), nothing when only the new one is left.
/// The silos' answers come from <see cref="RecordingDeviceSessions"/>; the cluster test (<see cref="ClusterSessionTests"/>)
/// has real silos answer.
/// </summary>
public sealed class MonitorSessionJudgementTests(GrainCluster cluster) : IClassFixture<GrainCluster>
{
    private static int _tenants;

    private static MonitoredEvent Connected(string device, string session, string address, DateTimeOffset at) => new()
    {
        Kind = MonitoredEventKind.Connected, Subject = device, SessionId = session, Address = address, At = at,
    };

    /// <summary>Two sessions of a new device, the second admitted <paramref name="ago"/> before now (heard late: due sooner).</summary>
    private async Task<(IMonitorGrain Monitor, string Device)> TwoSessionsAsync(TimeSpan ago, string[]? liveThen)
    {
        var tenantId = $"judge{Interlocked.Increment(ref _tenants)}{Environment.ProcessId % 1000}";
        var device = $"d{Guid.NewGuid():N}";
        cluster.Sessions.LiveSessions[device] = liveThen;
        var monitor = cluster.Grains.GetGrain<IMonitorGrain>(tenantId);
        var admitted = DateTimeOffset.UtcNow - ago;
        await monitor.ObserveAsync([Connected(device, "s1", "10.0.0.1", admitted - TimeSpan.FromMinutes(5)), Connected(device, "s2", "10.0.0.2", admitted)]);
        Assert.Contains((device, true), cluster.Sessions.SessionQuestions);  // the sessions asked whether their peers are there
        return (monitor, device);
    }

    /// <summary>
    /// Waits until a judgement asked which sessions are live (the <paramref name="nth"/> such question), then returns the
    /// findings (the judgement's turn is over by then).
    /// </summary>
    private async Task<IReadOnlyList<Finding>> JudgedAsync(IMonitorGrain monitor, string device, int nth = 1)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (cluster.Sessions.SessionQuestions.Count(q => q == (device, false)) < nth)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), "no judgement within 30 s");
            await Task.Delay(50);
        }
        return await monitor.ListFindingsAsync();
    }

    public static TheoryData<string, string[]?> CloneAnswers => new()
    {
        { "both still live", ["s1", "s2"] },
        { "the earlier still live, the new one gone", ["s1"] },
    };

    [Theory]
    [MemberData(nameof(CloneAnswers))]
    public async Task An_earlier_session_still_held_after_the_grace_is_a_clone_finding(string because, string[]? live)
    {
        var (monitor, device) = await TwoSessionsAsync(MonitoringOptions.DefaultConcurrentSessionGrace, live);
        var finding = Assert.Single(await JudgedAsync(monitor, device));
        Assert.True(finding.Kind == FindingKind.CloneSuspected, because);
        Assert.Equal(("concurrent-sessions", "10.0.0.1, 10.0.0.2"), (finding.Evidence["signal"], finding.Evidence["addresses"]));
        Assert.Equal([device], finding.Devices);
    }

    [Theory]
    [InlineData("s2")]
    [InlineData]
    public async Task Earlier_sessions_no_silo_holds_after_the_grace_are_no_finding(params string[] live)
    {
        var (monitor, device) = await TwoSessionsAsync(MonitoringOptions.DefaultConcurrentSessionGrace, live);
        Assert.Empty(await JudgedAsync(monitor, device));
    }

    [Fact]
    public async Task A_silo_that_cannot_answer_puts_the_judgement_off_and_its_later_answer_decides()
    {
        var (monitor, device) = await TwoSessionsAsync(MonitoringOptions.DefaultConcurrentSessionGrace, liveThen: null);
        Assert.Empty(await JudgedAsync(monitor, device));
        cluster.Sessions.LiveSessions[device] = ["s2"];          // the silo that could not answer can now: s1 is gone
        Assert.Empty(await JudgedAsync(monitor, device, nth: 2));
        await Task.Delay(MonitoringOptions.DefaultConcurrentSessionGrace + TimeSpan.FromSeconds(2));
        Assert.Equal(2, cluster.Sessions.SessionQuestions.Count(q => q == (device, false)));   // decided: not asked again
    }

    [Fact]
    public async Task Asking_a_silo_that_hangs_holds_none_of_the_tenants_events_up()
    {
        var tenantId = $"judge{Interlocked.Increment(ref _tenants)}{Environment.ProcessId % 1000}";
        var device = $"d{Guid.NewGuid():N}";
        cluster.Sessions.AnswerDelays[device] = TimeSpan.FromSeconds(30);
        var monitor = cluster.Grains.GetGrain<IMonitorGrain>(tenantId);
        var now = DateTimeOffset.UtcNow;
        var observed = System.Diagnostics.Stopwatch.StartNew();
        await monitor.ObserveAsync([Connected(device, "s1", "10.0.0.1", now), Connected(device, "s2", "10.0.0.2", now)]);
        await monitor.ObserveAsync([new MonitoredEvent { Kind = MonitoredEventKind.SecondSessionRefused, Subject = "other", SessionId = "s9", Address = "10.0.0.9", At = now }]);
        Assert.Single(await monitor.ListFindingsAsync());                   // the next event was read meanwhile
        Assert.True(observed.Elapsed < TimeSpan.FromSeconds(10), $"the tenant's events waited {observed.Elapsed} for the silo's answer");
        Assert.Contains((device, true), cluster.Sessions.SessionQuestions);
    }

    [Fact]
    public async Task The_judgement_waits_for_the_grace_after_the_new_session_was_admitted()
    {
        var (monitor, device) = await TwoSessionsAsync(TimeSpan.Zero, ["s1", "s2"]);
        var asked = System.Diagnostics.Stopwatch.StartNew();
        Assert.Empty(await monitor.ListFindingsAsync());                    // nothing filed when heard
        Assert.Single(await JudgedAsync(monitor, device));
        Assert.True(asked.Elapsed > MonitoringOptions.DefaultConcurrentSessionGrace - TimeSpan.FromSeconds(2), $"judged after {asked.Elapsed}");
    }
}
