using System.Net;
using IoTIdentity.Provisioning.Clustering.Cosmos;
using IoTIdentity.Provisioning.Storage;
using IoTIdentity.Provisioning.Storage.Cosmos;
using IoTIdentity.TestKit;
using Microsoft.Azure.Cosmos;
using Orleans;
using Orleans.Runtime;

namespace IoTIdentity.Cluster.Tests;

/// <summary>
/// The membership-table contract Orleans relies on (the semantics of Orleans' own <c>MembershipTableTestsBase</c>),
/// against <c>@vercel/cosmosdb-server</c>: each test has its own cluster id in one shared database.
/// </summary>
[Collection(CosmosServerCollection.Name)]
public sealed class CosmosMembershipTableTests(CosmosServerFixture server) : IAsyncLifetime
{
    private static int _generation;
    private readonly string _clusterId = $"test-{Guid.NewGuid():N}";
    private CosmosMembershipTable _table = null!;

    public async Task InitializeAsync()
    {
        _table = Open(_clusterId);
        await _table.InitializeMembershipTable(tryInitTableVersion: true);
    }

    public async Task DisposeAsync()
    {
        await _table.DeleteMembershipTableEntries(_clusterId);
        _table.Dispose();
    }

    [Fact]
    public async Task A_new_cluster_reads_as_an_empty_table_at_version_zero()
    {
        var data = await _table.ReadAll();

        Assert.Empty(data.Members);
        Assert.Equal(0, data.Version.Version);
        Assert.False(string.IsNullOrEmpty(data.Version.VersionEtag));
    }

    [Fact]
    public async Task A_cluster_whose_table_was_never_created_reads_as_empty_and_accepts_its_first_row()
    {
        using var table = Open($"uninitialized-{Guid.NewGuid():N}");
        await table.InitializeMembershipTable(tryInitTableVersion: false);

        var data = await table.ReadAll();
        Assert.Empty(data.Members);
        Assert.Equal(0, data.Version.Version);

        Assert.True(await table.InsertRow(Entry(), data.Version.Next()));
        Assert.Single((await table.ReadAll()).Members);
    }

    [Fact]
    public async Task An_inserted_row_is_read_back_whole_with_the_callers_table_version()
    {
        var entry = Entry();
        entry.SuspectTimes = [Tuple.Create(Address(), Now().AddSeconds(1)), Tuple.Create(Address(), Now().AddSeconds(2))];
        entry.RoleName = "role";
        (entry.UpdateZone, entry.FaultZone) = (3, 4);
        var version = (await _table.ReadAll()).Version.Next();

        Assert.True(await _table.InsertRow(entry, version));

        var row = await _table.ReadRow(entry.SiloAddress);
        var (stored, etag) = Assert.Single(row.Members);
        Assert.Equal(entry.ToFullString(), stored.ToFullString());
        Assert.False(string.IsNullOrEmpty(etag));
        Assert.Equal(1, row.Version.Version);
        Assert.NotEqual(version.VersionEtag, row.Version.VersionEtag);
    }

    [Fact]
    public async Task Reading_a_row_returns_only_that_silo()
    {
        var (first, second) = (Entry(), Entry());
        Assert.True(await _table.InsertRow(first, (await _table.ReadAll()).Version.Next()));
        Assert.True(await _table.InsertRow(second, (await _table.ReadAll()).Version.Next()));

        var row = await _table.ReadRow(second.SiloAddress);

        Assert.Equal(second.SiloAddress, Assert.Single(row.Members).Item1.SiloAddress);
        Assert.Equal(2, row.Version.Version);
        Assert.Empty((await _table.ReadRow(Address())).Members);
    }

    [Fact]
    public async Task Insert_is_refused_when_the_table_version_is_stale()
    {
        var version = (await _table.ReadAll()).Version.Next();
        Assert.True(await _table.InsertRow(Entry(), version));

        Assert.False(await _table.InsertRow(Entry(), version));

        var data = await _table.ReadAll();
        Assert.Single(data.Members);
        Assert.Equal(1, data.Version.Version);
    }

    [Fact]
    public async Task Insert_is_refused_when_the_silo_already_has_a_row()
    {
        var entry = Entry();
        Assert.True(await _table.InsertRow(entry, (await _table.ReadAll()).Version.Next()));

        Assert.False(await _table.InsertRow(entry, (await _table.ReadAll()).Version.Next()));

        var data = await _table.ReadAll();
        Assert.Single(data.Members);
        Assert.Equal(1, data.Version.Version);
    }

    [Fact]
    public async Task Update_with_the_current_row_etag_and_table_version_replaces_the_row()
    {
        var entry = Entry();
        Assert.True(await _table.InsertRow(entry, (await _table.ReadAll()).Version.Next()));
        var data = await _table.ReadAll();
        var etag = data.Members[0].Item2;
        entry.Status = SiloStatus.Active;
        entry.AddSuspector(Address(), Now());

        Assert.True(await _table.UpdateRow(entry, etag, data.Version.Next()));

        var after = await _table.ReadAll();
        var (stored, newEtag) = Assert.Single(after.Members);
        Assert.Equal(entry.ToFullString(), stored.ToFullString());
        Assert.NotEqual(etag, newEtag);
        Assert.Equal(2, after.Version.Version);
    }

    [Fact]
    public async Task Update_is_refused_when_the_table_version_is_stale()
    {
        var entry = Entry();
        var inserted = (await _table.ReadAll()).Version.Next();
        Assert.True(await _table.InsertRow(entry, inserted));
        var data = await _table.ReadAll();

        Assert.False(await _table.UpdateRow(entry, data.Members[0].Item2, inserted));

        Assert.Equal(data.Members[0].Item2, (await _table.ReadAll()).Members[0].Item2);
    }

    [Fact]
    public async Task Update_is_refused_when_the_row_etag_is_stale()
    {
        var entry = Entry();
        Assert.True(await _table.InsertRow(entry, (await _table.ReadAll()).Version.Next()));
        var data = await _table.ReadAll();
        var staleEtag = data.Members[0].Item2;
        Assert.True(await _table.UpdateRow(entry, staleEtag, data.Version.Next()));

        Assert.False(await _table.UpdateRow(entry, staleEtag, (await _table.ReadAll()).Version.Next()));

        Assert.Equal(2, (await _table.ReadAll()).Version.Version);
    }

    [Fact]
    public async Task Update_is_refused_when_the_silo_has_no_row()
    {
        var data = await _table.ReadAll();

        Assert.False(await _table.UpdateRow(Entry(), "no-such-etag", data.Version.Next()));

        Assert.Empty((await _table.ReadAll()).Members);
    }

    [Fact]
    public async Task Racing_inserts_of_one_silo_let_exactly_one_win()
    {
        var entry = Entry();
        var version = (await _table.ReadAll()).Version.Next();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(() => _table.InsertRow(entry, version))));

        Assert.Single(outcomes, won => won);
        Assert.Single((await _table.ReadAll()).Members);
    }

    [Fact]
    public async Task Racing_updates_each_land_once_and_the_version_counts_them_all()
    {
        var entry = Entry();
        Assert.True(await _table.InsertRow(entry, (await _table.ReadAll()).Version.Next()));

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            while (true)
            {
                var data = await _table.ReadAll();
                if (await _table.UpdateRow(data.Members[0].Item1, data.Members[0].Item2, data.Version.Next())) return;
            }
        }))).WaitAsync(TimeSpan.FromSeconds(60));

        var after = await _table.ReadAll();
        Assert.Equal(9, after.Version.Version);
        Assert.Single(after.Members);
    }

    [Fact]
    public async Task I_am_alive_changes_the_alive_time_and_row_etag_but_not_the_table_version()
    {
        var entry = Entry();
        Assert.True(await _table.InsertRow(entry, (await _table.ReadAll()).Version.Next()));
        var before = await _table.ReadAll();
        var alive = DateTime.UtcNow.AddSeconds(5);

        await _table.UpdateIAmAlive(new MembershipEntry { SiloAddress = entry.SiloAddress, IAmAliveTime = alive });

        var after = await _table.ReadAll();
        var (stored, etag) = Assert.Single(after.Members);
        Assert.Equal(alive, stored.IAmAliveTime);
        Assert.Equal(entry.Status, stored.Status);
        Assert.NotEqual(before.Members[0].Item2, etag);
        Assert.Equal(before.Version, after.Version);
    }

    [Fact]
    public async Task I_am_alive_is_refused_for_a_silo_without_a_row()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            _table.UpdateIAmAlive(new MembershipEntry { SiloAddress = Address(), IAmAliveTime = DateTime.UtcNow }));

        Assert.Contains("no row", error.Message, StringComparison.Ordinal);
        Assert.Empty((await _table.ReadAll()).Members);
    }

    [Fact]
    public async Task Cleanup_removes_old_rows_of_every_status_but_active_and_keeps_the_version()
    {
        var fresh = Entry();
        Assert.True(await _table.InsertRow(fresh, (await _table.ReadAll()).Version.Next()));
        foreach (var status in Enum.GetValues<SiloStatus>())
        {
            var old = Entry();
            (old.Status, old.StartTime, old.IAmAliveTime) = (status, Now().AddDays(-10), Now().AddDays(-10));
            Assert.True(await _table.InsertRow(old, (await _table.ReadAll()).Version.Next()));
        }
        var recentlyAliveOldStart = Entry();
        (recentlyAliveOldStart.Status, recentlyAliveOldStart.StartTime) = (SiloStatus.Dead, Now().AddDays(-10));
        Assert.True(await _table.InsertRow(recentlyAliveOldStart, (await _table.ReadAll()).Version.Next()));
        var before = await _table.ReadAll();

        await _table.CleanupDefunctSiloEntries(DateTimeOffset.UtcNow.AddDays(-7));

        var after = await _table.ReadAll();
        Assert.Equal(
            new[] { SiloStatus.Active, SiloStatus.Dead, SiloStatus.Joining }.Order(),
            after.Members.Select(m => m.Item1.Status).Order());
        Assert.Contains(after.Members, m => m.Item1.SiloAddress.Equals(fresh.SiloAddress));
        Assert.Contains(after.Members, m => m.Item1.SiloAddress.Equals(recentlyAliveOldStart.SiloAddress));
        Assert.Equal(before.Version, after.Version);
    }

    [Fact]
    public async Task Deleting_a_clusters_entries_leaves_other_clusters_alone()
    {
        var otherCluster = $"other-{Guid.NewGuid():N}";
        using var other = Open(otherCluster);
        await other.InitializeMembershipTable(true);
        Assert.True(await other.InsertRow(Entry(), (await other.ReadAll()).Version.Next()));
        Assert.True(await _table.InsertRow(Entry(), (await _table.ReadAll()).Version.Next()));

        await _table.DeleteMembershipTableEntries(_clusterId);

        Assert.Empty((await _table.ReadAll()).Members);
        Assert.Single((await other.ReadAll()).Members);
        await other.DeleteMembershipTableEntries(otherCluster);
    }

    [Fact]
    public async Task A_table_altered_outside_the_service_is_reported_as_unavailable_not_misread()
    {
        using var account = CosmosAccount.Connect(Options());
        var garbage = System.Text.Encoding.UTF8.GetBytes($"{{\"id\":\"table\",\"pk\":\"{_clusterId}\",\"version\":\"not a number\"}}");
        using (var written = await account.Container(CosmosMembershipTable.ContainerName)
            .UpsertItemStreamAsync(new MemoryStream(garbage), new PartitionKey(_clusterId)))
        {
            Assert.True(written.IsSuccessStatusCode);
        }

        var error = await Assert.ThrowsAsync<StoreUnavailableException>(() => _table.ReadAll());

        Assert.Contains("cannot parse", error.Message, StringComparison.Ordinal);
        Assert.Contains("membership", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_table_is_refused_without_a_cluster_id()
    {
        using var account = CosmosAccount.Connect(Options());

        Assert.Throws<ArgumentException>(() => new CosmosMembershipTable(account, ""));
    }

    private CosmosMembershipTable Open(string clusterId) => new(CosmosAccount.Connect(Options()), clusterId);

    private CosmosStoreOptions Options() =>
        server.StoreOptions("iotidentity-membership-tests") with { AnswerQueryPlansLocally = false, MaxAttempts = 3 };

    private static MembershipEntry Entry()
    {
        var address = Address();
        return new MembershipEntry
        {
            SiloAddress = address,
            HostName = Dns.GetHostName(),
            SiloName = $"silo-{address.Generation}",
            Status = SiloStatus.Joining,
            ProxyPort = address.Endpoint.Port + 1,
            StartTime = Now(),
            IAmAliveTime = Now(),
        };
    }

    private static SiloAddress Address() =>
        SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 12345), Interlocked.Increment(ref _generation));

    /// <summary>Now, to the second (as Orleans' own table tests compare times).</summary>
    private static DateTime Now()
    {
        var now = DateTime.UtcNow;
        return new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
    }
}
