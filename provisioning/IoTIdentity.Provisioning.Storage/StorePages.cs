using System.Runtime.CompilerServices;

namespace IoTIdentity.Provisioning.Storage;

/// <summary>
/// Long walks over the store, a page at a time: a tenant's audit log from an entry on, a tenant's inventory. Each page
/// is read on the <see cref="BackgroundLane"/>, a thread at the operating system's lowest priority, off the caller's
/// grain turn; the caller goes on with the page at its own priority, or hands its own work on a page to the lane
/// (<see cref="InBackground{T}"/>).
/// </summary>
/// <remarks>
/// SQLite reads complete synchronously on the caller's thread. A walk that awaited its pages in place held one pool
/// thread from its first page to its last: the five-minute audit checkpoint of a log ~100,000 entries long held one
/// for 1.7 s beside a full load, and a service running few pool threads stalled behind it (BENCHMARKS.md, session 37).
/// Read page by page from the pool, the same walk still took a fifth of a busy core for 3 s and pushed the requests
/// beside it into a queue (session 38): on the lane it takes only the time they leave.
/// </remarks>
public static class StorePages
{
    /// <summary>The entries of <paramref name="tenantId"/>'s audit log from <paramref name="fromSequence"/> to its head, in
    /// pages of up to <see cref="StoreLimits.MaxPageSize"/> (none when the log ends before it).</summary>
    /// <param name="store">The store to read.</param>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="fromSequence">The first entry wanted; at least 1.</param>
    /// <param name="cancellationToken">Cancels the walk between pages.</param>
    public static async IAsyncEnumerable<IReadOnlyList<AuditEntry>> AuditAsync(IProvisioningStore store, string tenantId,
        long fromSequence, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        for (var next = fromSequence; ;)
        {
            var from = next;
            var page = await Apart(() => store.ReadAuditAsync(tenantId, from, StoreLimits.MaxPageSize, cancellationToken), cancellationToken)
                .ConfigureAwait(false);
            if (page.Count > 0)
            {
                yield return page;
            }

            if (page.Count < StoreLimits.MaxPageSize)
            {
                yield break;
            }

            next = page[^1].Sequence + 1;
        }
    }

    /// <summary>Every device of <paramref name="tenantId"/> that <paramref name="query"/>'s filters pick, in pages of up
    /// to <see cref="StoreLimits.MaxPageSize"/> (its page size and continuation token are the walk's own).</summary>
    /// <param name="store">The store to read.</param>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="query">The filters; null for every device.</param>
    /// <param name="cancellationToken">Cancels the walk between pages.</param>
    public static async IAsyncEnumerable<IReadOnlyList<DeviceRecord>> DevicesAsync(IProvisioningStore store, string tenantId,
        DeviceQuery? query = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var filters = (query ?? new DeviceQuery()) with { PageSize = StoreLimits.MaxPageSize, ContinuationToken = null };
        do
        {
            var asked = filters;
            var page = await Apart(() => store.ListDevicesAsync(tenantId, asked, cancellationToken), cancellationToken).ConfigureAwait(false);
            if (page.Items.Count > 0)
            {
                yield return page.Items;
            }

            filters = filters with { ContinuationToken = page.ContinuationToken };
        }
        while (filters.ContinuationToken is not null);
    }

    /// <summary>
    /// Runs a walk's own work on a page (hashing it, say) on the <see cref="BackgroundLane"/>; what awaits the result
    /// goes on at its own priority.
    /// </summary>
    /// <param name="work">The work; it runs on the lane's thread, where <c>TaskScheduler.Current</c> is the default.</param>
    /// <param name="cancellationToken">Cancels the work if it has not started.</param>
    public static Task<T> InBackground<T>(Func<T> work, CancellationToken cancellationToken = default) =>
        BackgroundLane.Shared.Run(work, cancellationToken);

    private static Task<T> Apart<T>(Func<Task<T>> read, CancellationToken cancellationToken) =>
        BackgroundLane.Shared.Run(read, cancellationToken).Unwrap();
}
