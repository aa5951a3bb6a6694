using System.Net;
using System.Text.Json;
using IoTIdentity.Provisioning.Storage;
using IoTIdentity.Provisioning.Storage.Cosmos;
using Microsoft.Azure.Cosmos;
using Orleans;
using Orleans.Runtime;

namespace IoTIdentity.Provisioning.Clustering.Cosmos;

/// <summary>
/// Orleans' membership table on Cosmos DB, so several silos form one cluster: the whole table of a cluster is one
/// item (<see cref="MembershipDocument"/>) in the container <c>membership</c> (partition key = cluster id).
/// </summary>
/// <remarks>
/// <para><b>Why one item.</b> Orleans needs "write this row <i>and</i> the table version, only if neither changed"
/// to be atomic. Cosmos does that for one item (<c>If-Match</c> on its <c>_etag</c>); across items only with a
/// transactional batch, which <c>@vercel/cosmosdb-server</c> cannot run. So every change reads the item, checks
/// the caller's table-version ETag and row ETag against it, and replaces it conditionally; when another silo wrote
/// in between (412, or 409 on the first create) it reads again and re-checks, up to 64 times.</para>
/// <para><b>Semantics</b> (those of Orleans' own tables): <see cref="InsertRow"/> and <see cref="UpdateRow"/> return
/// <see langword="false"/> when the table version's ETag is stale, the row exists (insert), or is missing or has
/// another ETag (update); the table version becomes the caller's. <see cref="UpdateIAmAlive"/> changes only the
/// row's alive time (and its ETag), not the version. A missing item reads as an empty table at version 0.</para>
/// <para><b>Size.</b> A row is about half a kilobyte; Cosmos items hold 2 MB, so a few thousand silo incarnations.
/// Orleans removes dead rows older than <c>ClusterMembershipOptions.DefunctSiloExpiration</c> (7 days) through
/// <see cref="CleanupDefunctSiloEntries"/>.</para>
/// <para>Requests go through <see cref="CosmosAccount.SendAsync"/>: the store's retry policy for 429 and transient
/// faults; what still fails surfaces as <see cref="StoreUnavailableException"/>, which Orleans retries.</para>
/// </remarks>
public sealed class CosmosMembershipTable : IMembershipTable, IDisposable
{
    /// <summary>The container holding one item per cluster, partitioned on <c>/pk</c>.</summary>
    public const string ContainerName = "membership";

    /// <summary>The version ETag of a cluster whose table item does not exist yet.</summary>
    private const string AbsentVersionEtag = "absent";

    private const int MaxConflicts = 64;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly CosmosAccount _account;
    private readonly Container _container;
    private readonly string _clusterId;

    /// <summary>The table of cluster <paramref name="clusterId"/> in <paramref name="account"/>'s database.</summary>
    /// <param name="account">The account; the table disposes it.</param>
    /// <param name="clusterId">Orleans' <c>ClusterOptions.ClusterId</c>.</param>
    public CosmosMembershipTable(CosmosAccount account, string clusterId)
    {
        ArgumentNullException.ThrowIfNull(account);
        StoreLimits.CheckId(clusterId, nameof(clusterId));
        _account = account;
        _clusterId = clusterId;
        _container = account.Container(ContainerName);
    }

    /// <summary>Creates the container if absent and, when <paramref name="tryInitTableVersion"/>, the cluster's
    /// empty table at version 0 if absent.</summary>
    public async Task InitializeMembershipTable(bool tryInitTableVersion)
    {
        await _account.CreateContainersAsync([ContainerName], "/pk", CancellationToken.None).ConfigureAwait(false);
        if (tryInitTableVersion && await ReadAsync(_clusterId).ConfigureAwait(false) is null)
        {
            // Losing this race to another silo (409) is as good as winning it.
            await TryWriteAsync(null, Empty(_clusterId) with { VersionEtag = MembershipRows.NewEtag() }, "create the membership table")
                .ConfigureAwait(false);
        }
    }

    /// <summary>Deletes the whole table of cluster <paramref name="clusterId"/> (any cluster, not only this one).</summary>
    public async Task DeleteMembershipTableEntries(string clusterId)
    {
        StoreLimits.CheckId(clusterId, nameof(clusterId));
        const string operation = "delete the membership table";
        using var response = await _account.SendAsync(_container, operation,
            () => _container.DeleteItemStreamAsync(MembershipDocument.ItemId, new PartitionKey(clusterId)),
            CancellationToken.None).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode && response.StatusCode != HttpStatusCode.NotFound)
        {
            throw _account.Unexpected(_container, operation, response);
        }
    }

    /// <summary>Removes the rows of silos that are not <see cref="SiloStatus.Active"/> and whose start and alive
    /// times are both before <paramref name="beforeDate"/>. The table version stays.</summary>
    public Task CleanupDefunctSiloEntries(DateTimeOffset beforeDate) =>
        ChangeAsync("remove defunct silos", table =>
        {
            var kept = table.Rows
                .Where(r => r.Status == nameof(SiloStatus.Active)
                    || Math.Max(r.IAmAliveTime.Ticks, r.StartTime.Ticks) >= beforeDate.UtcTicks)
                .ToList();
            return kept.Count == table.Rows.Count ? null : table with { Rows = kept };
        });

    /// <summary>The row of <paramref name="key"/> (if any) and the table version.</summary>
    public async Task<MembershipTableData> ReadRow(SiloAddress key)
    {
        var table = await ReadAsync(_clusterId).ConfigureAwait(false) ?? Empty(_clusterId);
        return new MembershipTableData(
            table.Rows.Where(r => MembershipRows.IsFor(r, key)).Select(MembershipRows.ToEntry).ToList(), VersionOf(table));
    }

    /// <summary>Every row and the table version.</summary>
    public async Task<MembershipTableData> ReadAll()
    {
        var table = await ReadAsync(_clusterId).ConfigureAwait(false) ?? Empty(_clusterId);
        return new MembershipTableData(table.Rows.Select(MembershipRows.ToEntry).ToList(), VersionOf(table));
    }

    /// <summary>Adds <paramref name="entry"/> and sets the table version, if the version's ETag is current and the
    /// silo has no row yet; otherwise <see langword="false"/>.</summary>
    public Task<bool> InsertRow(MembershipEntry entry, TableVersion tableVersion)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(tableVersion);
        return ChangeAsync("insert a silo", table =>
            table.VersionEtag != tableVersion.VersionEtag || table.Rows.Any(r => MembershipRows.IsFor(r, entry.SiloAddress))
                ? null
                : table with
                {
                    Version = tableVersion.Version,
                    VersionEtag = MembershipRows.NewEtag(),
                    Rows = [.. table.Rows, MembershipRows.ToRow(entry)],
                });
    }

    /// <summary>Replaces the row of <paramref name="entry"/>'s silo and sets the table version, if the version's
    /// ETag is current and the row's ETag is <paramref name="etag"/>; otherwise <see langword="false"/>.</summary>
    public Task<bool> UpdateRow(MembershipEntry entry, string etag, TableVersion tableVersion)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(tableVersion);
        return ChangeAsync("update a silo", table =>
            table.VersionEtag != tableVersion.VersionEtag
                || !table.Rows.Any(r => MembershipRows.IsFor(r, entry.SiloAddress) && r.Etag == etag)
                ? null
                : table with
                {
                    Version = tableVersion.Version,
                    VersionEtag = MembershipRows.NewEtag(),
                    Rows = [.. table.Rows.Select(r => MembershipRows.IsFor(r, entry.SiloAddress) ? MembershipRows.ToRow(entry) : r)],
                });
    }

    /// <summary>Sets the alive time of <paramref name="entry"/>'s silo (a new row ETag, the same table version).</summary>
    /// <exception cref="InvalidOperationException">The silo has no row.</exception>
    public async Task UpdateIAmAlive(MembershipEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var found = await ChangeAsync("update a silo's alive time", table =>
            table.Rows.Any(r => MembershipRows.IsFor(r, entry.SiloAddress))
                ? table with
                {
                    Rows = [.. table.Rows.Select(r => MembershipRows.IsFor(r, entry.SiloAddress)
                        ? r with { IAmAliveTime = MembershipRows.Utc(entry.IAmAliveTime), Etag = MembershipRows.NewEtag() }
                        : r)],
                }
                : null).ConfigureAwait(false);
        if (!found)
        {
            throw new InvalidOperationException(
                $"Silo {entry.SiloAddress} has no row in the membership table of cluster '{_clusterId}'.");
        }
    }

    /// <summary>Releases the account's client.</summary>
    public void Dispose() => _account.Dispose();

    private static MembershipDocument Empty(string clusterId) => new() { ClusterId = clusterId, VersionEtag = AbsentVersionEtag };

    private static TableVersion VersionOf(MembershipDocument table) => new(table.Version, table.VersionEtag);

    /// <summary>
    /// Reads the table, lets <paramref name="change"/> decide (null: refuse → <see langword="false"/>), and writes the
    /// result conditionally on the item not having changed; on a lost race reads and decides again.
    /// </summary>
    private async Task<bool> ChangeAsync(string operation, Func<MembershipDocument, MembershipDocument?> change)
    {
        for (var attempt = 1; attempt <= MaxConflicts; attempt++)
        {
            var current = await ReadAsync(_clusterId).ConfigureAwait(false);
            if (change(current ?? Empty(_clusterId)) is not { } changed)
            {
                return false;
            }

            if (await TryWriteAsync(current, changed, operation).ConfigureAwait(false))
            {
                return true;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20 + 10 * Math.Min(attempt, 20)))).ConfigureAwait(false);
        }

        throw new StoreUnavailableException(
            $"{_account.Where(_container, operation)} gave up on cluster '{_clusterId}': other silos changed the table " +
            $"{MaxConflicts} times in a row.");
    }

    /// <summary>The cluster's table, or null when its item does not exist.</summary>
    private async Task<MembershipDocument?> ReadAsync(string clusterId)
    {
        const string operation = "read the membership table";
        using var response = await _account.SendAsync(_container, operation,
            () => _container.ReadItemStreamAsync(MembershipDocument.ItemId, new PartitionKey(clusterId)),
            CancellationToken.None).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        if (!response.IsSuccessStatusCode)
        {
            throw _account.Unexpected(_container, operation, response);
        }

        try
        {
            return await JsonSerializer.DeserializeAsync<MembershipDocument>(response.Content, Json).ConfigureAwait(false)
                ?? throw new JsonException("null document");
        }
        catch (Exception e) when (e is JsonException or FormatException or ArgumentException)
        {
            throw new StoreUnavailableException(
                $"{_account.Where(_container, operation)} read a table it cannot parse (altered outside the service?): {e.Message}", e);
        }
    }

    /// <summary>Creates (when <paramref name="current"/> is null) or replaces the item if it is unchanged since it
    /// was read; <see langword="false"/> when another writer came first.</summary>
    private async Task<bool> TryWriteAsync(MembershipDocument? current, MembershipDocument changed, string operation)
    {
        var partition = new PartitionKey(changed.ClusterId);
        var body = JsonSerializer.SerializeToUtf8Bytes(changed with { ItemEtag = null }, Json);
        using var response = await _account.SendAsync(_container, operation, () => current is null
                ? _container.CreateItemStreamAsync(new MemoryStream(body), partition)
                : _container.ReplaceItemStreamAsync(new MemoryStream(body), MembershipDocument.ItemId, partition,
                    new ItemRequestOptions { IfMatchEtag = current.ItemEtag }),
            CancellationToken.None).ConfigureAwait(false);
        return response.StatusCode switch
        {
            _ when response.IsSuccessStatusCode => true,
            HttpStatusCode.Conflict or HttpStatusCode.PreconditionFailed or HttpStatusCode.NotFound => false,
            _ => throw _account.Unexpected(_container, operation, response),
        };
    }
}
