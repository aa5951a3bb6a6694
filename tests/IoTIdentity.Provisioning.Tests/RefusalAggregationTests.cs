using IoTIdentity.Protocol;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Grains;
using IoTIdentity.Provisioning.Grains.Audit;
using Xunit;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// Anonymous senders cannot flood an audit log: past the first ten of a window, refusals of devices without a
/// certificate from one source (IPv4 address, IPv6 /64) for one reason become one entry with their count.
/// </summary>
public sealed class RefusalAggregationTests(GrainCluster cluster) : IClassFixture<GrainCluster>
{
    private static int _sources;

    private static string NewDeviceId() => Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());

    private static string NewPrefix() => $"2001:db8:{Interlocked.Increment(ref _sources):x}:";

    private Task RefuseAsync(string deviceId, string address, ProvisioningError reason = ProvisioningError.MalformedRequest) =>
        cluster.Grains.GetGrain<IDeviceGrain>(deviceId).RecordRefusalAsync(Topics.Operations.Register, new Refusal(reason, "bad"), "{"u8.ToArray(), address);

    private async Task<List<Storage.AuditEntry>> UnassignedAsync()
    {
        var all = new List<Storage.AuditEntry>();
        for (long next = 1; ;)
        {
            var page = await cluster.Store.ReadAuditAsync(AuditTrail.Unassigned, next, 500);
            all.AddRange(page);
            if (page.Count < 500) return all;
            next = page[^1].Sequence + 1;
        }
    }

    [Fact]
    public async Task A_flood_from_one_IPv6_prefix_is_audited_ten_times_then_as_one_entry_with_the_count()
    {
        var prefix = NewPrefix();
        var devices = Enumerable.Range(0, 25).Select(_ => NewDeviceId()).ToList();
        for (var i = 0; i < devices.Count; i++) await RefuseAsync(devices[i], $"{prefix}:{i + 1:x}"); // every interface id of one /64

        var individual = (await UnassignedAsync()).Where(e => devices.Contains(e.Event.Subject)).ToList();
        Assert.Equal(10, individual.Count);

        await cluster.Refusals.FlushAsync();

        var aggregated = Assert.Single(await UnassignedAsync(), e => e.Event.Subject == $"{prefix}:/64");
        Assert.Equal("refused:MalformedRequest", aggregated.Event.Outcome);
        Assert.Equal(Topics.Operations.Register, aggregated.Event.Action);
        Assert.Equal("anonymous", aggregated.Event.Actor);
        Assert.Equal("15", aggregated.Event.Details!["aggregated"]);
        Assert.Equal(10, aggregated.Event.Details["devices"].Split(' ').Length);
        Assert.All(aggregated.Event.Details["devices"].Split(' '), d => Assert.Contains(d, devices[10..]));
    }

    [Fact]
    public async Task Each_reason_has_its_own_allowance_and_a_window_under_it_writes_no_aggregate()
    {
        var prefix = NewPrefix();
        var address = $"{prefix}:1";
        var devices = Enumerable.Range(0, 12).Select(_ => NewDeviceId()).ToList();
        foreach (var device in devices) await RefuseAsync(device, address, ProvisioningError.MalformedRequest);
        foreach (var device in devices.Take(5)) await RefuseAsync(device, address, ProvisioningError.NotEnrolled);

        await cluster.Refusals.FlushAsync();

        var entries = await UnassignedAsync();
        Assert.Equal(10, entries.Count(e => devices.Contains(e.Event.Subject) && e.Event.Outcome == "refused:MalformedRequest"));
        Assert.Equal(5, entries.Count(e => devices.Contains(e.Event.Subject) && e.Event.Outcome == "refused:NotEnrolled"));
        var aggregated = Assert.Single(entries, e => e.Event.Subject == $"{prefix}:/64");
        Assert.Equal("refused:MalformedRequest", aggregated.Event.Outcome);
        Assert.Equal("2", aggregated.Event.Details!["aggregated"]);
    }

    [Theory]
    [InlineData("192.0.2.7", "192.0.2.7")]
    [InlineData("::ffff:192.0.2.7", "192.0.2.7")]
    [InlineData("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64")]
    [InlineData("2001:DB8:1:2::ffff", "2001:db8:1:2::/64")]
    [InlineData(null, "device:abc")]
    public void Sources_are_the_IPv4_address_or_the_IPv6_64_prefix_whatever_the_spelling(string? address, string source) =>
        Assert.Equal(source, RefusalAggregator.SourceOf(address, "abc"));
}
