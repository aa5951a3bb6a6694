namespace IoTIdentity.Provisioning.Storage;

/// <summary>
/// The service's storage: grain state, unique claims, the per-tenant device inventory and the per-tenant,
/// hash-chained audit log. Every backend (SQLite, Cosmos DB) implements this interface and passes the same
/// contract test suite.
/// </summary>
/// <remarks>
/// <para>The interface is shaped by the weakest backend we intend to support: every operation touches one
/// partition (a state document's kind and key, a claim's scope and value, or a tenant), single-item writes are
/// conditional (create fails if the item exists, replace fails on an ETag mismatch), and no operation needs a
/// multi-item transaction. The one operation that writes several items, <see cref="WriteDeviceChangeAsync"/>, is
/// defined by the order of its single writes; a backend that can commit them together (SQLite) does.</para>
/// <para>Faults: a conflicting conditional write throws <see cref="StoreConcurrencyException"/>; an unreachable,
/// busy, full or corrupt store throws <see cref="StoreUnavailableException"/>; invalid arguments (empty or
/// over-long identifiers, state over <see cref="StoreLimits.MaxStateBytes"/>, bad page sizes or continuation
/// tokens) throw <see cref="ArgumentException"/> or a type derived from it. No backend-specific exception type
/// escapes.</para>
/// <para>Implementations are safe for concurrent use by any number of callers.</para>
/// </remarks>
public interface IProvisioningStore
{
    /// <summary>Reads one state document.</summary>
    /// <param name="kind">The document kind (for grain state: the grain type); 1–256 characters.</param>
    /// <param name="key">The document key within <paramref name="kind"/>; 1–256 characters.</param>
    /// <param name="cancellationToken">Cancels the call before it reaches the store.</param>
    /// <returns>The document and its current ETag, or <see langword="null"/> if it does not exist.</returns>
    Task<StoredState?> ReadAsync(string kind, string key, CancellationToken cancellationToken = default);

    /// <summary>Creates or conditionally replaces one state document.</summary>
    /// <param name="kind">The document kind; 1–256 characters.</param>
    /// <param name="key">The document key; 1–256 characters.</param>
    /// <param name="data">The new contents; at most <see cref="StoreLimits.MaxStateBytes"/> bytes.</param>
    /// <param name="expectedETag"><see langword="null"/> to create (the document must not exist yet), otherwise
    /// the ETag returned by the last read or write (the document must still carry it).</param>
    /// <param name="cancellationToken">Cancels the call before it reaches the store.</param>
    /// <returns>The document's new ETag, different from every ETag it carried before.</returns>
    /// <exception cref="StoreConcurrencyException">The document exists although <paramref name="expectedETag"/>
    /// is null, or does not carry <paramref name="expectedETag"/> (changed or deleted meanwhile).</exception>
    Task<string> WriteAsync(
        string kind, string key, ReadOnlyMemory<byte> data, string? expectedETag,
        CancellationToken cancellationToken = default);

    /// <summary>Conditionally deletes one state document.</summary>
    /// <param name="kind">The document kind; 1–256 characters.</param>
    /// <param name="key">The document key; 1–256 characters.</param>
    /// <param name="expectedETag">The ETag the document must carry; <see langword="null"/> means the caller
    /// believes it does not exist, which makes the call a no-op when it indeed does not.</param>
    /// <param name="cancellationToken">Cancels the call before it reaches the store.</param>
    /// <exception cref="StoreConcurrencyException">The document does not match
    /// <paramref name="expectedETag"/>.</exception>
    Task DeleteAsync(string kind, string key, string? expectedETag, CancellationToken cancellationToken = default);

    /// <summary>
    /// Claims a value within a scope for an owner (e.g. scope "ek", value the EK fingerprint, owner the device id),
    /// so that two activations of one grain, or two grains, can never both hold it.
    /// </summary>
    /// <param name="scope">The claim's namespace; 1–256 characters.</param>
    /// <param name="value">The claimed value; 1–256 characters.</param>
    /// <param name="owner">Who claims it; 1–256 characters.</param>
    /// <param name="cancellationToken">Cancels the call before it reaches the store.</param>
    /// <returns><see langword="true"/> if the value is now claimed by <paramref name="owner"/> (newly or
    /// already); <see langword="false"/> if another owner holds it.</returns>
    Task<bool> TryClaimAsync(string scope, string value, string owner, CancellationToken cancellationToken = default);

    /// <summary>Releases a claim held by <paramref name="owner"/>; a claim held by anyone else is left alone.</summary>
    /// <param name="scope">The claim's namespace; 1–256 characters.</param>
    /// <param name="value">The claimed value; 1–256 characters.</param>
    /// <param name="owner">The owner releasing it; 1–256 characters.</param>
    /// <param name="cancellationToken">Cancels the call before it reaches the store.</param>
    /// <returns><see langword="true"/> if a claim by <paramref name="owner"/> existed and is now gone.</returns>
    Task<bool> ReleaseClaimAsync(string scope, string value, string owner, CancellationToken cancellationToken = default);

    /// <summary>Reads who holds a claim.</summary>
    /// <param name="scope">The claim's namespace; 1–256 characters.</param>
    /// <param name="value">The claimed value; 1–256 characters.</param>
    /// <param name="cancellationToken">Cancels the call before it reaches the store.</param>
    /// <returns>The owner, or <see langword="null"/> if the value is unclaimed.</returns>
    Task<string?> GetClaimOwnerAsync(string scope, string value, CancellationToken cancellationToken = default);

    /// <summary>
    /// Inserts or replaces a device's inventory record (last writer wins: the device's grain is its only writer).
    /// </summary>
    /// <param name="device">The record; its ids must be 1–256 characters.</param>
    /// <param name="cancellationToken">Cancels the call before it reaches the store.</param>
    Task UpsertDeviceAsync(DeviceRecord device, CancellationToken cancellationToken = default);

    /// <summary>Reads one device's inventory record.</summary>
    /// <param name="tenantId">The owning tenant; 1–256 characters.</param>
    /// <param name="deviceId">The device; 1–256 characters.</param>
    /// <param name="cancellationToken">Cancels the call before it reaches the store.</param>
    /// <returns>The record, or <see langword="null"/> if the tenant has no such device.</returns>
    Task<DeviceRecord?> GetDeviceAsync(string tenantId, string deviceId, CancellationToken cancellationToken = default);

    /// <summary>Removes a device from a tenant's inventory.</summary>
    /// <param name="tenantId">The owning tenant; 1–256 characters.</param>
    /// <param name="deviceId">The device; 1–256 characters.</param>
    /// <param name="cancellationToken">Cancels the call before it reaches the store.</param>
    /// <returns><see langword="true"/> if the record existed.</returns>
    Task<bool> RemoveDeviceAsync(string tenantId, string deviceId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Lists one page of a tenant's devices in ascending order of device id (Unicode code point order, which is
    /// ordinal order for ids without characters beyond U+FFFF), optionally filtered.
    /// Following the continuation tokens visits every device that existed throughout the walk exactly once.
    /// </summary>
    /// <param name="tenantId">The owning tenant; 1–256 characters.</param>
    /// <param name="query">Filters, page size and the continuation token of the previous page.</param>
    /// <param name="cancellationToken">Cancels the call before it reaches the store.</param>
    /// <returns>The page; its continuation token is <see langword="null"/> on the last page.</returns>
    /// <exception cref="InvalidContinuationTokenException">The token was not issued by
    /// <see cref="DeviceContinuationToken"/> for this tenant.</exception>
    Task<DevicePage> ListDevicesAsync(string tenantId, DeviceQuery query, CancellationToken cancellationToken = default);

    /// <summary>
    /// Lists the tenant's inventory rows written before the inventory carried every field it is filtered by (the
    /// group, the tags, presence), in ascending order of device id. Such a row is found by id and state but not by
    /// group or tag until it is written again: any <see cref="UpsertDeviceAsync"/> of the device takes it off this list,
    /// so re-indexing can stop and resume anywhere, and repeating it changes nothing.
    /// </summary>
    /// <param name="tenantId">The owning tenant; 1–256 characters.</param>
    /// <param name="maxCount">At most this many ids; 1–<see cref="StoreLimits.MaxPageSize"/>.</param>
    /// <param name="cancellationToken">Cancels the call before it reaches the store.</param>
    /// <returns>The first device ids still to re-index; empty when none is left.</returns>
    Task<IReadOnlyList<string>> ListDevicesToReindexAsync(string tenantId, int maxCount, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends an event to a tenant's audit log as the next sequence number, chained to the previous entry's hash
    /// (<see cref="AuditChain"/>). Concurrent appenders are all appended, in some order, with no gap or fork.
    /// </summary>
    /// <param name="tenantId">The tenant whose log it is; 1–256 characters.</param>
    /// <param name="auditEvent">The event; see <see cref="StoreLimits"/> for field limits.</param>
    /// <param name="cancellationToken">Cancels the call before it reaches the store.</param>
    /// <returns>The stored entry, with its sequence number and hashes.</returns>
    Task<AuditEntry> AppendAuditAsync(string tenantId, AuditEvent auditEvent, CancellationToken cancellationToken = default);

    /// <summary>Reads consecutive audit entries of a tenant, in sequence order.</summary>
    /// <param name="tenantId">The tenant; 1–256 characters.</param>
    /// <param name="fromSequence">The first sequence number to return; at least 1.</param>
    /// <param name="maxCount">At most this many entries; 1–<see cref="StoreLimits.MaxPageSize"/>.</param>
    /// <param name="cancellationToken">Cancels the call before it reaches the store.</param>
    /// <returns>Entries with sequence ≥ <paramref name="fromSequence"/>, ascending; empty past the end.</returns>
    Task<IReadOnlyList<AuditEntry>> ReadAuditAsync(
        string tenantId, long fromSequence, int maxCount, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads consecutive audit entries of a tenant about one subject (a device id, a key id, a group id, …), in
    /// sequence order, without reading the rest of the log (the backend keeps an index by subject).
    /// </summary>
    /// <param name="tenantId">The tenant; 1–256 characters.</param>
    /// <param name="subject">The entries' <see cref="AuditEvent.Subject"/>; 1–256 characters.</param>
    /// <param name="fromSequence">The first sequence number to consider; at least 1.</param>
    /// <param name="maxCount">At most this many entries; 1–<see cref="StoreLimits.MaxPageSize"/>.</param>
    /// <param name="cancellationToken">Cancels the call before it reaches the store.</param>
    /// <returns>The subject's entries with sequence ≥ <paramref name="fromSequence"/>, ascending; empty past its last.</returns>
    Task<IReadOnlyList<AuditEntry>> ReadAuditBySubjectAsync(
        string tenantId, string subject, long fromSequence, int maxCount, CancellationToken cancellationToken = default);

    /// <summary>Re-reads a tenant's whole audit log and checks its chain (<see cref="AuditChain.VerifyAsync(IProvisioningStore, string, CancellationToken)"/>).</summary>
    /// <param name="tenantId">The tenant; 1–256 characters.</param>
    /// <param name="cancellationToken">Cancels the walk between pages.</param>
    /// <returns>Whether the chain holds, how many entries were checked, and where and why it first breaks.</returns>
    Task<AuditChainVerification> VerifyAuditChainAsync(string tenantId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes one change of a device (<see cref="DeviceChange"/>): the claim, the state, the audit entry, the inventory
    /// row, in that order, each as its single write would. This default makes the single writes one after another, so
    /// a fault can fall between them (a reader never sees a later part without the earlier ones); a backend that can
    /// commits them in one transaction instead, so a fault leaves none of them.
    /// </summary>
    /// <param name="change">The change.</param>
    /// <param name="cancellationToken">Cancels the call before it reaches the store.</param>
    /// <returns>The state's new ETag and the audit entry; <see cref="DeviceChangeWritten.ClaimTaken"/> (nothing
    /// written) when the claim is another owner's.</returns>
    /// <exception cref="StoreConcurrencyException">The state's ETag no longer matches (nothing after the claim was
    /// written; the claim may have been).</exception>
    async Task<DeviceChangeWritten> WriteDeviceChangeAsync(DeviceChange change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (change.Claim is { } claim && !await TryClaimAsync(claim.Scope, claim.Value, claim.Owner, cancellationToken)) return DeviceChangeWritten.ClaimTaken;
        var etag = await WriteAsync(change.Kind, change.Key, change.Data, change.ExpectedETag, cancellationToken);
        var entry = change.Audit is { } audit ? await AppendAuditAsync(audit.TenantId, audit.Event, cancellationToken) : null;
        if (change.Inventory is { } inventory) await UpsertDeviceAsync(inventory, cancellationToken);
        return new DeviceChangeWritten(true, etag, entry);
    }
}
