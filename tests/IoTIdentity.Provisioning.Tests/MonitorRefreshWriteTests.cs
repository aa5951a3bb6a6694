using System.Collections.Immutable;
using IoTIdentity.Provisioning.Abstractions.Monitoring;
using IoTIdentity.Provisioning.Grains.Monitoring;
using Orleans.Serialization;
using Xunit;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// A detection that only refreshes an open finding is written within <see cref="MonitorGrain.RefreshWriteDelay"/>, not
/// once per event; whatever the order of opens, refreshes and operator changes, the stored findings catch up with the
/// ones the grain serves, an operator change writes the pending refreshes with it, and a deactivating grain writes them.
/// </summary>
public sealed class MonitorRefreshWriteTests(GrainCluster cluster) : IClassFixture<GrainCluster>
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 4, 6, 0, 0, TimeSpan.Zero);
    private static int _tenants;
    private int _second;

    /// <summary>A second session of <paramref name="device"/> refused by the endpoint: a clone suspicion keyed by the device, at once.</summary>
    private MonitoredEvent Refused(string device) => new()
    {
        Kind = MonitoredEventKind.SecondSessionRefused, Subject = device, SessionId = $"s{_second}", Address = $"10.0.{_second / 250}.{_second % 250}",
        At = T0.AddSeconds(_second++),
    };

    [Fact]
    public async Task Refreshing_an_open_finding_is_not_written_per_event_and_the_store_catches_up()
    {
        var tenantId = NewTenantId();
        var monitor = cluster.Grains.GetGrain<IMonitorGrain>(tenantId);
        await monitor.ObserveAsync([Refused("d1"), Refused("d1")]);
        var opened = Assert.Single(await StoredFindingsAsync(tenantId));
        Assert.Equal(["d1"], opened.Devices);

        for (var i = 0; i < 30; i++) await monitor.ObserveAsync([Refused("d1")]);

        var served = Assert.Single(await monitor.ListFindingsAsync());
        Assert.True(Assert.Single(await StoredFindingsAsync(tenantId)).Count < served.Count, "every refresh was written at once");
        await AssertStoredCatchesUpAsync(tenantId, monitor);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Opens_device_additions_and_operator_changes_are_stored_before_they_return_with_the_refreshes_before_them(int seed)
    {
        var random = new Random(seed);
        var tenantId = NewTenantId();
        var monitor = cluster.Grains.GetGrain<IMonitorGrain>(tenantId);
        var devices = Enumerable.Range(0, 4).Select(i => $"dev{i}").ToArray();
        for (var step = 0; step < 40; step++)
        {
            var served = await monitor.ListFindingsAsync();
            if (served.Count > 0 && random.Next(6) == 0)
            {
                // an operator change: stored at once, with every refresh filed before it
                var finding = served[random.Next(served.Count)];
                var next = finding.State == FindingState.Open ? FindingState.Acknowledged : FindingState.Open;
                Assert.NotNull(await monitor.SetFindingStateAsync(finding.Id, next, "operator"));
                AssertSame(await monitor.ListFindingsAsync(), await StoredFindingsAsync(tenantId));
                continue;
            }
            var device = devices[random.Next(devices.Length)];
            var before = (await monitor.ListFindingsAsync()).Count;
            await monitor.ObserveAsync([Refused(device), Refused(device)]);
            var after = await monitor.ListFindingsAsync();
            // a finding opened is stored before ObserveAsync returns
            if (after.Count > before)
                Assert.Contains(await StoredFindingsAsync(tenantId), f => f.Id == after[0].Id);
        }
        await AssertStoredCatchesUpAsync(tenantId, monitor);
    }

    [Fact]
    public async Task A_deactivating_monitor_writes_the_refreshes_it_holds()
    {
        var tenantId = NewTenantId();
        var monitor = cluster.Grains.GetGrain<IMonitorGrain>(tenantId);
        await monitor.ObserveAsync([Refused("d1"), Refused("d1")]);
        for (var i = 0; i < 5; i++) await monitor.ObserveAsync([Refused("d1")]);
        var served = Assert.Single(await monitor.ListFindingsAsync());

        await cluster.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

        Assert.Equal(served.Count, Assert.Single(await StoredFindingsAsync(tenantId)).Count);
        Assert.Equal(served.Count, Assert.Single(await monitor.ListFindingsAsync()).Count);
    }

    private async Task AssertStoredCatchesUpAsync(string tenantId, IMonitorGrain monitor)
    {
        var served = await monitor.ListFindingsAsync();
        var waited = System.Diagnostics.Stopwatch.StartNew();
        var stored = await StoredFindingsAsync(tenantId);
        while (!Same(served, stored) && waited.Elapsed < MonitorGrain.RefreshWriteDelay * 10)
        {
            await Task.Delay(100);
            stored = await StoredFindingsAsync(tenantId);
        }
        AssertSame(served, stored);
    }

    private static bool Same(IReadOnlyList<Finding> served, IReadOnlyList<Finding> stored) =>
        served.Count == stored.Count && served.OrderBy(f => f.Id).Zip(stored.OrderBy(f => f.Id)).All(p =>
            p.First.Id == p.Second.Id && p.First.Count == p.Second.Count && p.First.LastSeen == p.Second.LastSeen && p.First.State == p.Second.State
            && p.First.Devices.SequenceEqual(p.Second.Devices) && p.First.AuditSequences.SequenceEqual(p.Second.AuditSequences)
            && p.First.Evidence.SequenceEqual(p.Second.Evidence));

    private static void AssertSame(IReadOnlyList<Finding> served, IReadOnlyList<Finding> stored) =>
        Assert.True(Same(served, stored), $"served {string.Join(", ", served.Select(f => $"{f.Id}:{f.Count}:{f.State}"))}; stored {string.Join(", ", stored.Select(f => $"{f.Id}:{f.Count}:{f.State}"))}");

    private async Task<IReadOnlyList<Finding>> StoredFindingsAsync(string tenantId) =>
        await cluster.Store.ReadAsync("monitor.monitor", tenantId) is { } stored
            ? cluster.SiloService<Serializer>().Deserialize<MonitorState>(stored.Data)!.Findings
            : [];

    private static string NewTenantId() => $"refresh{Interlocked.Increment(ref _tenants)}{Environment.ProcessId % 1000}";
}
