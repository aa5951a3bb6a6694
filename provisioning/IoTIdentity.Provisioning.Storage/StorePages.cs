using System.Runtime.CompilerServices;

namespace IoTIdentity.Provisioning.Storage;

/// <summary>
/// Long walks over the store, a page at a time: a tenant's audit log from an entry on, a tenant's inventory. Each page
/// is read as a work item of its own, queued at the back of the thread pool's global queue and off the caller's grain
/// turn, so a walk holds a pool thread for one page at most and the work queued meanwhile runs between its pages.
/// </summary>
/// <remarks>
/// SQLite reads complete synchronously on the caller's thread. A walk that awaited its pages in place therefore held
/// one pool thread from its first page to its last: the five-minute audit checkpoint of a log ~100,000 entries long
/// held one for 1.7 s beside a full load, and a service running few pool threads stalled behind it (BENCHMARKS.md,
/// session 37). Where the caller goes on after a page depends on it: a grain's continuation queues on its activation;
/// code that does not return to a context (<c>ConfigureAwait(false)</c>) goes on inside the page's work item.
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

    /// <summary>Reads one page in a work item of its own at the back of the pool's global queue (not the caller's local
    /// queue, which its thread would drain first, nor the caller's grain scheduler, which <c>TaskScheduler.Current</c> is).</summary>
    private static Task<T> Apart<T>(Func<Task<T>> read, CancellationToken cancellationToken) =>
        Task.Factory.StartNew(read, cancellationToken, TaskCreationOptions.PreferFairness | TaskCreationOptions.DenyChildAttach,
            TaskScheduler.Default).Unwrap();
}
