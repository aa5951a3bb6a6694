using IoTIdentity.Protocol.Audit;
using IoTIdentity.Protocol.Management;

namespace IoTIdentity.Provisioning.Storage;

/// <summary>
/// The audit log's hash chain, shared by every backend so that all of them store the same hashes and verify the
/// same way: entry <c>n</c> carries the hash of entry <c>n − 1</c>, and its own hash covers that link, its sequence
/// number, its tenant and every field of its event. Altering, inserting or removing an entry in the middle of a log
/// breaks the chain at that entry.
/// </summary>
/// <remarks>
/// <para>The canonical encoding (version 1) is <see cref="AuditHash"/>'s, in the protocol library, so that an export
/// is verified offline by the same code (<see cref="OfflineAuditVerifier"/>).</para>
/// <para>The chain proves integrity relative to its newest entry only: removing entries from the end, or rewriting
/// the newest entry together with its hash, is not detectable from the log alone: signed checkpoints of the newest
/// hash (<see cref="AuditCheckpoint"/>) anchor it outside the store.</para>
/// </remarks>
public static class AuditChain
{
    /// <summary>The previous hash of entry 1: 32 zero bytes in hex.</summary>
    public const string GenesisHash = AuditHash.GenesisHash;

    /// <summary>
    /// Returns the event in the form every backend stores: <see cref="AuditEvent.At"/> converted to UTC (offset zero),
    /// the evidence digest in lowercase, details copied and sorted by key, empty details as <see langword="null"/>.
    /// The hash of the canonical form equals the hash of the original.
    /// </summary>
    /// <param name="auditEvent">The event as the caller gave it.</param>
    /// <returns>The canonical event.</returns>
    public static AuditEvent Normalize(AuditEvent auditEvent)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);
        return auditEvent with
        {
            At = auditEvent.At.ToUniversalTime(),
            EvidenceDigest = auditEvent.EvidenceDigest?.ToLowerInvariant(),
            Details = auditEvent.Details is { Count: > 0 } details ? SortedCopy(details) : null,
        };
    }

    /// <summary>Builds entry <paramref name="sequence"/> of a tenant's chain: normalizes the event and hashes it.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="sequence">The entry's sequence number, at least 1.</param>
    /// <param name="previousHash">The hash of entry <paramref name="sequence"/> − 1, or <see cref="GenesisHash"/>.</param>
    /// <param name="auditEvent">The event.</param>
    /// <returns>The entry to store.</returns>
    public static AuditEntry CreateEntry(string tenantId, long sequence, string previousHash, AuditEvent auditEvent)
    {
        var canonical = Normalize(auditEvent);
        return new AuditEntry(tenantId, sequence, canonical, previousHash,
            ComputeHash(tenantId, sequence, previousHash, canonical));
    }

    /// <summary>Computes an entry's hash over the canonical encoding described on <see cref="AuditChain"/>.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="sequence">The sequence number, at least 1.</param>
    /// <param name="previousHash">The previous hash, 64 hex digits.</param>
    /// <param name="auditEvent">The event.</param>
    /// <returns>The hash, 64 lowercase hex digits.</returns>
    /// <exception cref="ArgumentException">A hash is not 64 hex digits, the sequence is not positive, or a text is not
    /// well-formed Unicode.</exception>
    public static string ComputeHash(string tenantId, long sequence, string previousHash, AuditEvent auditEvent)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);
        return AuditHash.Compute(tenantId, sequence, previousHash, ToView(auditEvent));
    }

    /// <summary>The event as the management contract shows it (and <see cref="AuditHash"/> reads it).</summary>
    public static AuditEventView ToView(AuditEvent auditEvent) => new(auditEvent.Action, auditEvent.Subject, auditEvent.Outcome,
        auditEvent.EvidenceDigest, auditEvent.Actor, auditEvent.At, auditEvent.Details);

    /// <summary>Verifies a whole chain given in sequence order, starting at entry 1 (e.g. an exported log).</summary>
    /// <param name="tenantId">The tenant the log belongs to.</param>
    /// <param name="entries">Every entry of the log, in sequence order.</param>
    /// <returns>Whether the chain holds, and where and why it first breaks.</returns>
    public static AuditChainVerification Verify(string tenantId, IEnumerable<AuditEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var verifier = new AuditChainVerifier(tenantId);
        return Check(verifier, entries) ?? verifier.Result();
    }

    /// <summary>
    /// Verifies a tenant's chain in a store, reading it page by page from entry 1. Backends implement
    /// <see cref="IProvisioningStore.VerifyAuditChainAsync"/> with this, so verification never depends on the
    /// backend that wrote the log.
    /// </summary>
    /// <param name="store">The store to read.</param>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="cancellationToken">Cancels the walk between pages.</param>
    /// <returns>Whether the chain holds, and where and why it first breaks.</returns>
    public static Task<AuditChainVerification> VerifyAsync(
        IProvisioningStore store, string tenantId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        StoreLimits.CheckId(tenantId);
        return VerifyAsync(store, new AuditChainVerifier(tenantId), cancellationToken);
    }

    /// <summary>
    /// Walks a tenant's chain in a store from the entry <paramref name="verifier"/> expects next to the log's head, each
    /// page read and checked on the <see cref="StorePages"/>' background lane, off the caller's turn. Afterwards the
    /// verifier says how far the walk got and which hash it ended on.
    /// </summary>
    /// <param name="store">The store to read.</param>
    /// <param name="verifier">Where the walk starts (a log's first entry, or one linked to a signed head).</param>
    /// <param name="cancellationToken">Cancels the walk between pages.</param>
    /// <returns>Whether the entries read chain on, and where and why they first break.</returns>
    public static async Task<AuditChainVerification> VerifyAsync(
        IProvisioningStore store, AuditChainVerifier verifier, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(verifier);
        await foreach (var page in StorePages.AuditAsync(store, verifier.TenantId, verifier.LastSequence + 1, cancellationToken)
                           .ConfigureAwait(false))
        {
            if (await StorePages.InBackground(() => Check(verifier, page), cancellationToken).ConfigureAwait(false) is { } broken)
            {
                return broken;
            }
        }

        return verifier.Result();
    }

    /// <summary>Checks entries in order; returns the first break, or null when they all pass.</summary>
    private static AuditChainVerification? Check(AuditChainVerifier verifier, IEnumerable<AuditEntry> entries)
    {
        foreach (var entry in entries)
        {
            if (verifier.Check(entry) is { } broken)
            {
                return broken;
            }
        }

        return null;
    }

    private static SortedDictionary<string, string> SortedCopy(IReadOnlyDictionary<string, string> details)
    {
        var sorted = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in details)
        {
            sorted.Add(key, value);
        }

        return sorted;
    }
}
