using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Storage;

namespace IoTIdentity.Provisioning.Host.Reports;

/// <summary>
/// The part of a tenant's audit log a report rests on, read once, in sequence order, and verified as it is read:
/// from just after the last signed checkpoint before the period (or, when none is kept, from the period's first entry)
/// to the log's head. The entries of the period are what the report counts; those after it are what it undoes to show
/// the fleet and its policies as they were at the period's end.
/// </summary>
/// <param name="InPeriod">The entries whose time falls in the period, in sequence order.</param>
/// <param name="After">The entries at or after the period's end, in sequence order.</param>
/// <param name="Chain">What was verified, and how it is anchored.</param>
public sealed record ReportAuditLog(IReadOnlyList<AuditEntry> InPeriod, IReadOnlyList<AuditEntry> After, ReportAuditChain Chain)
{
    /// <summary>
    /// How far an entry's time may run behind one appended before it (appenders on several silos stamp their own
    /// clocks): without a checkpoint to start from, the walk starts at the first entry stamped this long before the period.
    /// </summary>
    public static readonly TimeSpan AppendSkew = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Reads and verifies the log of <paramref name="tenantId"/> for <paramref name="period"/>. <paramref name="anchor"/>
    /// is the last signed checkpoint made at or before the period's start (null when none is kept); <paramref name="head"/>
    /// is the newest signed checkpoint, whose head hash the walk must meet at its size.
    /// </summary>
    public static async Task<ReportAuditLog> ReadAsync(IProvisioningStore store, string tenantId, ReportPeriod period,
        AuditCheckpointRecord? anchor, AuditCheckpointOutcome head, CancellationToken cancellationToken)
    {
        var signed = head.Checkpoint;
        // a log that no longer extends its own last checkpoint is read whole: nothing in it can be taken on trust
        if (head.Inconsistency is not null) anchor = null;
        var first = anchor is not null ? anchor.Size + 1
            : head.Inconsistency is not null || signed is null ? 1
            : await FirstAtAsync(store, tenantId, period.From - AppendSkew, signed.Size, cancellationToken);
        // the walk must reach the signed head with its hash: a log cut back below it is as broken as one altered
        var verifier = new AuditChainVerifier(tenantId, first, anchor?.HeadHash ?? (first == 1 ? AuditChain.GenesisHash : null),
            signed?.Size ?? 0, signed?.HeadHash);

        var inPeriod = new List<AuditEntry>();
        var after = new List<AuditEntry>();
        AuditChainVerification? broken = null;
        await foreach (var page in StorePages.AuditAsync(store, tenantId, first, cancellationToken))
        {
            // hashing is the walk's CPU: a page is checked on the background lane too, with the time requests leave
            broken = await StorePages.InBackground(() => Take(page, broken), cancellationToken);
        }

        AuditChainVerification? Take(IReadOnlyList<AuditEntry> page, AuditChainVerification? brokenBefore)
        {
            foreach (var entry in page)
            {
                brokenBefore ??= verifier.Check(entry);
                if (period.Contains(entry.Event.At)) inPeriod.Add(entry);
                else if (entry.Event.At >= period.To) after.Add(entry);
            }

            return brokenBefore;
        }

        var verification = broken ?? verifier.Result();
        return new ReportAuditLog(inPeriod, after, new ReportAuditChain(
            verification.IsValid, first, verifier.LastSequence, verifier.LastSequence - first + 1, verification.FirstBrokenSequence,
            verification.Reason ?? head.Inconsistency, inPeriod.Count, anchor is null ? null : Carried(anchor), signed is null ? null : Carried(signed)));
    }

    /// <summary>
    /// The first sequence in 1..<paramref name="size"/> whose entry is stamped at or after <paramref name="at"/>
    /// (<paramref name="size"/> + 1 when none is), by bisection over the log's sequence key: a few point reads on every backend.
    /// </summary>
    private static async Task<long> FirstAtAsync(IProvisioningStore store, string tenantId, DateTimeOffset at, long size, CancellationToken cancellationToken)
    {
        long low = 1, high = size + 1;
        while (low < high)
        {
            var middle = low + (high - low) / 2;
            var read = await store.ReadAuditAsync(tenantId, middle, 1, cancellationToken);
            if (read.Count == 0 || read[0].Event.At >= at) high = middle;
            else low = middle + 1;
        }
        return low;
    }

    private static ReportCheckpoint Carried(AuditCheckpointRecord c) => new(c.Size, c.HeadHash, c.At.ToUniversalTime(), c.KeyId, c.Signature);
}
